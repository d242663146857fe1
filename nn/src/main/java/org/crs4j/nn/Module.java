package org.crs4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Tensor;

/**
 * A tree of layers with named parameters. Names are dotted paths from the root ("layers.0.self_attn.q_proj.weight"),
 * chosen to be the Hugging Face state-dict names where a model has them, so checkpoints load without renaming.
 *
 * <p>Subclasses register their parameters and children in their constructor and write a forward method with the
 * signature that suits them; there is deliberately no generic forward.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    protected Parameter parameter(String name, Tensor initial) {
        return parameter(name, initial, true);
    }

    protected Parameter parameter(String name, Tensor initial, boolean trainable) {
        checkName(name);
        Parameter p = new Parameter(initial, trainable);
        parameters.put(name, p);
        return p;
    }

    protected <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("invalid module member name '" + name + "'");
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /** All parameters of this module and its descendants, by dotted name, in registration order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public List<Parameter> trainableParameters() {
        return parameters().stream().filter(Parameter::trainable).toList();
    }

    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    public long parameterCount() {
        return parameters().stream().mapToLong(Parameter::numel).sum();
    }

    public long trainableParameterCount() {
        return trainableParameters().stream().mapToLong(Parameter::numel).sum();
    }

    public void zeroGrad() {
        parameters().forEach(Parameter::zeroGrad);
    }

    /** Training mode (dropout active) for this module and all descendants. */
    public void train() {
        setTraining(true);
    }

    /** Evaluation mode (dropout off) for this module and all descendants. */
    public void eval() {
        setTraining(false);
    }

    private void setTraining(boolean on) {
        training = on;
        children.values().forEach(c -> c.setTraining(on));
    }

    public boolean isTraining() {
        return training;
    }

    /** Freezes (or unfreezes) every parameter: gradients stop flowing into them. */
    public void setTrainable(boolean trainable) {
        parameters().forEach(p -> p.setTrainable(trainable));
    }

    /**
     * Moves every parameter to {@code device} (a copy per parameter not already there, in its own dtype: BF16 weights
     * stay BF16) and returns this module. Layers create their other inputs (ids, masks, positions) on the CPU; an op
     * with a parameter on a GPU runs there and uploads them, so a moved module runs unchanged.
     */
    public Module to(Device device) {
        for (Parameter p : parameters()) {
            if (!p.data().device().equals(device)) p.set(p.data().toDevice(device));
        }
        return this;
    }

    /** The device of the first parameter (the CPU for a module without parameters). */
    public Device device() {
        for (Parameter p : parameters()) return p.data().device();
        return Device.CPU;
    }

    /** The parameter tensors by name (the current tensors, not copies). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((n, p) -> out.put(n, p.data()));
        return out;
    }

    /** What loading a state dict found: missing and unexpected names, and shape mismatches. */
    public record LoadReport(List<String> missing, List<String> unexpected, List<String> shapeMismatches) {
        public boolean clean() {
            return missing.isEmpty() && unexpected.isEmpty() && shapeMismatches.isEmpty();
        }

        @Override
        public String toString() {
            return "missing " + missing + ", unexpected " + unexpected + ", shape mismatches " + shapeMismatches;
        }
    }

    /**
     * Installs tensors by name (without copying: a memory-mapped tensor stays mapped). Strict loading fails, naming
     * every missing, unexpected or mis-shaped entry, before anything is changed; non-strict loading installs what
     * matches and reports the rest.
     */
    public LoadReport loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Parameter> own = namedParameters();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (String name : own.keySet()) if (!state.containsKey(name)) missing.add(name);
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Parameter p = own.get(e.getKey());
            if (p == null) unexpected.add(e.getKey());
            else if (!java.util.Arrays.equals(p.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + " " + java.util.Arrays.toString(e.getValue().shape()) + " vs "
                        + java.util.Arrays.toString(p.shape()));
            }
        }
        LoadReport report = new LoadReport(missing, unexpected, mismatched);
        if (strict && !report.clean()) throw new IllegalArgumentException("state dict does not match " + getClass().getSimpleName() + ": " + report);
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Parameter p = own.get(e.getKey());
            if (p != null && java.util.Arrays.equals(p.shape(), e.getValue().shape())) p.set(e.getValue());
        }
        return report;
    }
}
