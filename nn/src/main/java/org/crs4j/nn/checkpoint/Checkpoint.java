package org.crs4j.nn.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crs4j.nn.Module;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.optim.GradientAccumulation;
import org.crs4j.nn.optim.LrScheduler;
import org.crs4j.nn.optim.Optimizer;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.SafetensorsFile;
import org.crs4j.tensor.io.SafetensorsWriter;
import org.crs4j.tensor.io.TensorInfo;

/**
 * Everything a training run needs to continue exactly where it stopped, in one safetensors file written atomically.
 *
 * <p>A {@code Checkpoint} names the live objects of a run — model, optimizer, scheduler, random generators,
 * gradient accumulation — once; {@link #save} writes their state and {@link #load} puts a saved state back into them.
 * <pre>{@code
 * Checkpoint ckpt = new Checkpoint(model).optimizer(adamw).scheduler(sched)
 *         .generator("dropout", dropoutRng).generator("data", shuffleRng);
 * ckpt.save(dir.resolve("last.safetensors"), step);
 * ...
 * long step = ckpt.load(dir.resolve("last.safetensors")).step();   // in a new process, same construction
 * }</pre>
 *
 * <p>File layout: tensors {@code model.<parameter name>} (the module's state dict),
 * {@code optimizer.<parameter name>.<state key>} (e.g. {@code optimizer.layers.0.weight.exp_avg}) and, when saved
 * in the middle of a gradient accumulation, {@code grad.<parameter name>} (the gradients gathered so far); the scalars in
 * one JSON document under the {@code __metadata__} key {@value #METADATA_KEY}: format version, step, optimizer type,
 * per-group learning rates and per-parameter step counts, scheduler step, each generator's seed and position,
 * pending micro-batches, and the caller's own string entries. One file, so a single atomic rename publishes all of
 * it: a crash during {@code save} leaves the previous checkpoint intact (see {@code AtomicFiles}).
 *
 * <p>Loading checks everything — every entry present, no unexpected ones, shapes, optimizer type, JSON fields —
 * before changing anything, and every error names the file and the entry ({@link CheckpointException}). Saving
 * downloads a GPU-resident state tensor by tensor; loading puts each tensor on its parameter's device, so a run on a
 * GPU saves and resumes there with its parameters and optimizer moments where they were.
 */
public final class Checkpoint {
    public static final String METADATA_KEY = "crs4j.checkpoint";
    static final int VERSION = 1;
    private static final String MODEL = "model.", OPTIMIZER = "optimizer.", GRAD = "grad.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Module model;
    private Optimizer optimizer;
    private LrScheduler scheduler;
    private GradientAccumulation accumulation;
    private final Map<String, Generator> generators = new LinkedHashMap<>();
    private boolean trainableOnly;

    public Checkpoint(Module model) {
        this.model = model;
    }

    /**
     * Saves and restores only the trainable parameters (with their optimizer state): for fine-tuning a few layers of a
     * large pretrained model, whose frozen weights stay in the model's own files. Loading then requires the same set
     * of trainable parameters as at saving, and leaves the frozen ones untouched.
     */
    public Checkpoint trainableOnly() {
        this.trainableOnly = true;
        return this;
    }

    /** The parameters this checkpoint saves and restores, by name. */
    private Map<String, Parameter> savedParameters() {
        Map<String, Parameter> all = model.namedParameters();
        if (!trainableOnly) return all;
        Map<String, Parameter> out = new LinkedHashMap<>();
        all.forEach((n, p) -> {
            if (p.trainable()) out.put(n, p);
        });
        return out;
    }

    public Checkpoint optimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
        return this;
    }

    public Checkpoint scheduler(LrScheduler scheduler) {
        this.scheduler = scheduler;
        return this;
    }

    public Checkpoint accumulation(GradientAccumulation accumulation) {
        this.accumulation = accumulation;
        return this;
    }

    /** A random stream to save and restore (dropout masks, data shuffling, sampling), under a stable name. */
    public Checkpoint generator(String name, Generator generator) {
        if (generators.putIfAbsent(name, generator) != null) throw new IllegalArgumentException("generator '" + name + "' is already registered");
        return this;
    }

    /** What {@link #load} found besides the restored objects. */
    public record Loaded(long step, Map<String, String> extra) {}

    // ------------------------------------------------------------------ save

    public void save(Path file, long step) throws IOException {
        save(file, step, Map.of());
    }

    /** Writes the state atomically; {@code extra} (e.g. the run's configuration) is stored alongside. */
    public void save(Path file, long step, Map<String, String> extra) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        savedParameters().forEach((n, p) -> tensors.put(MODEL + n, p.data()));
        ObjectNode meta = JSON.createObjectNode();
        meta.put("version", VERSION);
        if (trainableOnly) meta.put("trainable_only", true);
        meta.put("step", step);
        if (optimizer != null) {
            optimizer.stateTensors().forEach((n, t) -> tensors.put(OPTIMIZER + n, t));
            ObjectNode o = meta.putObject("optimizer");
            o.put("type", optimizer.getClass().getSimpleName());
            ArrayNode lrs = o.putArray("lr");
            for (double lr : optimizer.learningRates()) lrs.add(lr);
            ObjectNode steps = o.putObject("steps");
            optimizer.stepCounts().forEach(steps::put);
        }
        if (scheduler != null) meta.putObject("scheduler").put("steps", scheduler.steps());
        if (accumulation != null) {
            meta.putObject("accumulation").put("every", accumulation.every()).put("pending", accumulation.pending());
            if (accumulation.pending() > 0) {
                model.namedParameters().forEach((n, p) -> {
                    if (p.grad() != null) tensors.put(GRAD + n, p.grad());
                });
            }
        }
        ObjectNode gens = meta.putObject("generators");
        generators.forEach((n, g) -> {
            ObjectNode s = gens.putObject(n);
            s.put("seed", g.seed());
            s.put("position", g.position());
        });
        ObjectNode ex = meta.putObject("extra");
        extra.forEach(ex::put);
        SafetensorsWriter.write(file, tensors, Map.of(METADATA_KEY, meta.toString(), "format", "crs4j"));
    }

    // ------------------------------------------------------------------ load

    /** Restores everything registered from {@code file}; nothing changes unless all of it checks out. */
    public Loaded load(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            JsonNode meta = parseMetadata(file, f);
            int version = intField(file, meta, "version");
            if (version != VERSION) throw new CheckpointException(file, "version", "format version " + version + ", this build reads " + VERSION);
            long step = longField(file, meta, "step");
            JsonNode partial = meta.get("trainable_only");
            if ((partial != null && partial.asBoolean()) != trainableOnly) {
                throw new CheckpointException(file, "trainable_only", trainableOnly
                        ? "the file holds the whole model, this run restores only its trainable parameters"
                        : "the file holds only the trainable parameters, this run restores the whole model");
            }

            Map<String, Tensor> modelState = new LinkedHashMap<>(), optimizerState = new LinkedHashMap<>(),
                    grads = new LinkedHashMap<>();
            for (TensorInfo info : f.tensors()) {
                String name = info.name();
                if (name.startsWith(MODEL)) modelState.put(name.substring(MODEL.length()), f.tensor(name));
                else if (name.startsWith(GRAD) && accumulation != null) grads.put(name.substring(GRAD.length()), f.tensor(name));
                else if (name.startsWith(OPTIMIZER) && optimizer != null) optimizerState.put(name.substring(OPTIMIZER.length()), f.tensor(name));
                else throw new CheckpointException(file, name, "unexpected entry" + (name.startsWith(OPTIMIZER)
                        ? " (optimizer state, but no optimizer is registered)" : ""));
            }
            checkModel(file, modelState);

            // copies: the file is unmapped when this method returns, and training writes into its parameters
            Map<String, Tensor> modelCopies = new LinkedHashMap<>(), gradCopies = new LinkedHashMap<>();
            Map<String, Parameter> params = savedParameters();
            // on the parameter's device: a module moved to a GPU before loading stays there
            modelState.forEach((n, t) -> modelCopies.put(n, t.to(params.get(n).data().dtype()).copy().toDevice(params.get(n).data().device())));
            for (Map.Entry<String, Tensor> e : grads.entrySet()) {
                Parameter p = params.get(e.getKey());
                if (p == null || !p.trainable()) throw new CheckpointException(file, GRAD + e.getKey(), "unexpected (no such trainable parameter)");
                if (!Arrays.equals(p.shape(), e.getValue().shape())) {
                    throw new CheckpointException(file, GRAD + e.getKey(), "shape " + Arrays.toString(e.getValue().shape())
                            + ", the parameter has " + Arrays.toString(p.shape()));
                }
                gradCopies.put(e.getKey(), e.getValue().to(p.data().dtype()).copy().toDevice(p.data().device()));
            }

            Optimizer.CheckedState optimizerChecked = optimizer == null ? null : checkOptimizer(file, meta, optimizerState);
            long schedulerSteps = scheduler == null ? 0 : longField(file, section(file, meta, "scheduler"), "steps", "scheduler.steps");
            int pending = 0;
            if (accumulation != null) {
                JsonNode acc = section(file, meta, "accumulation");
                int every = intField(file, acc, "every", "accumulation.every");
                if (every != accumulation.every()) {
                    throw new CheckpointException(file, "accumulation.every", "saved with update frequency " + every
                            + ", this run uses " + accumulation.every());
                }
                pending = intField(file, acc, "pending", "accumulation.pending");
                if (pending < 0 || pending >= every) throw new CheckpointException(file, "accumulation.pending", "out of range: " + pending);
                if (pending == 0 && !grads.isEmpty()) throw new CheckpointException(file, GRAD + grads.keySet().iterator().next(), "gradients saved but no micro-batch pending");
            }
            Map<String, long[]> rng = new LinkedHashMap<>();
            JsonNode gens = section(file, meta, "generators");
            for (String name : generators.keySet()) {
                JsonNode g = gens.get(name);
                if (g == null) throw new CheckpointException(file, "generators." + name, "missing");
                rng.put(name, new long[] {longField(file, g, "seed", "generators." + name + ".seed"),
                        longField(file, g, "position", "generators." + name + ".position")});
            }
            for (String name : (Iterable<String>) () -> gens.fieldNames()) {
                if (!generators.containsKey(name)) {
                    throw new CheckpointException(file, "generators." + name, "saved, but this run registers no such generator"
                            + " (its stream would not resume)");
                }
            }
            Map<String, String> extra = new LinkedHashMap<>();
            JsonNode ex = meta.get("extra");
            if (ex != null) ex.properties().forEach(e -> extra.put(e.getKey(), e.getValue().asText()));

            // everything checked: install
            if (trainableOnly) modelCopies.forEach((n, t) -> params.get(n).set(t));
            else model.loadStateDict(modelCopies, true);
            Map<String, Parameter> installed = model.namedParameters();
            installed.values().forEach(Parameter::zeroGrad);
            gradCopies.forEach((n, g) -> installed.get(n).get().setGrad(g));
            if (scheduler != null) scheduler.setSteps(schedulerSteps);
            if (optimizer != null) optimizer.installState(optimizerChecked); // after the scheduler: saved lrs win
            if (accumulation != null) accumulation.setPending(pending);
            rng.forEach((n, s) -> generators.get(n).setState(s[0], s[1]));
            return new Loaded(step, extra);
        }
    }

    private void checkModel(Path file, Map<String, Tensor> state) throws CheckpointException {
        Map<String, Parameter> own = savedParameters();
        String has = trainableOnly ? "trains" : "has";
        for (String name : own.keySet()) {
            if (!state.containsKey(name)) throw new CheckpointException(file, MODEL + name, "missing (the model " + has + " this parameter)");
        }
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Parameter p = own.get(e.getKey());
            if (p == null) throw new CheckpointException(file, MODEL + e.getKey(), "unexpected (the model " + has + " no such parameter)");
            if (!Arrays.equals(p.shape(), e.getValue().shape())) {
                throw new CheckpointException(file, MODEL + e.getKey(), "shape " + Arrays.toString(e.getValue().shape())
                        + ", the model's parameter has " + Arrays.toString(p.shape()));
            }
        }
    }

    private Optimizer.CheckedState checkOptimizer(Path file, JsonNode meta, Map<String, Tensor> state) throws CheckpointException {
        JsonNode o = section(file, meta, "optimizer");
        String type = textField(file, o, "type", "optimizer.type");
        if (!type.equals(optimizer.getClass().getSimpleName())) {
            throw new CheckpointException(file, "optimizer.type", "saved by " + type + ", this run uses "
                    + optimizer.getClass().getSimpleName());
        }
        JsonNode lrNode = o.get("lr");
        if (lrNode == null || !lrNode.isArray()) throw new CheckpointException(file, "optimizer.lr", "missing or not an array");
        double[] lrs = new double[lrNode.size()];
        for (int i = 0; i < lrs.length; i++) {
            if (!lrNode.get(i).isNumber()) throw new CheckpointException(file, "optimizer.lr[" + i + "]", "not a number");
            lrs[i] = lrNode.get(i).asDouble();
        }
        JsonNode stepsNode = section(file, o, "steps");
        Map<String, Long> steps = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = stepsNode.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToLong()) throw new CheckpointException(file, "optimizer.steps." + e.getKey(), "not an integer");
            steps.put(e.getKey(), e.getValue().asLong());
        }
        try {
            return optimizer.checkState(state, steps, lrs);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "optimizer", e.getMessage());
        }
    }

    // ------------------------------------------------------------------ JSON helpers

    private static JsonNode parseMetadata(Path file, SafetensorsFile f) throws CheckpointException {
        String text = f.metadata().get(METADATA_KEY);
        if (text == null) throw new CheckpointException(file, "__metadata__." + METADATA_KEY, "missing: not a crs4j checkpoint");
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) throw new CheckpointException(file, "__metadata__." + METADATA_KEY, "not a JSON object");
            return n;
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, "__metadata__." + METADATA_KEY, "invalid JSON: " + e.getOriginalMessage());
        }
    }

    private static JsonNode section(Path file, JsonNode parent, String name) throws CheckpointException {
        JsonNode n = parent.get(name);
        if (n == null || !n.isObject()) throw new CheckpointException(file, name, n == null ? "missing" : "not an object");
        return n;
    }

    private static long longField(Path file, JsonNode n, String name) throws CheckpointException {
        return longField(file, n, name, name);
    }

    private static long longField(Path file, JsonNode n, String name, String path) throws CheckpointException {
        JsonNode v = n.get(name);
        if (v == null) throw new CheckpointException(file, path, "missing");
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new CheckpointException(file, path, "not an integer: " + v);
        return v.asLong();
    }

    private static int intField(Path file, JsonNode n, String name) throws CheckpointException {
        return intField(file, n, name, name);
    }

    private static int intField(Path file, JsonNode n, String name, String path) throws CheckpointException {
        long v = longField(file, n, name, path);
        if (v != (int) v) throw new CheckpointException(file, path, "out of range: " + v);
        return (int) v;
    }

    private static String textField(Path file, JsonNode n, String name, String path) throws CheckpointException {
        JsonNode v = n.get(name);
        if (v == null || !v.isTextual()) throw new CheckpointException(file, path, v == null ? "missing" : "not a string");
        return v.asText();
    }
}
