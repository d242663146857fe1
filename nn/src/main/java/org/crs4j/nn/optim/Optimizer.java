package org.crs4j.nn.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.autograd.GradMode;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * Base of the optimizers: parameter groups (each with its own learning rate and weight decay, as torch's
 * {@code param_groups}), per-parameter state tensors and step counts, and the state a checkpoint saves.
 *
 * <p>Parameters are known by name (the module's dotted names), so saved optimizer state reads
 * {@code exp_avg} of {@code "layers.0.weight"} rather than "parameter 7", and a checkpoint survives a change
 * in parameter order. Parameters that are frozen or have no gradient are skipped by {@link #step()}, as torch skips
 * {@code p.grad is None}; their step counts do not advance.
 *
 * <p>Updates run without recording a graph; the new values are installed with {@link Parameter#update}, which keeps
 * the gradient (as torch does after {@code step()}) until {@link #zeroGrad()}.
 */
public abstract class Optimizer {

    /** A set of parameters sharing a learning rate and weight decay. */
    public record ParamGroup(Map<String, Parameter> params, double lr, double weightDecay) {
        public ParamGroup {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
            if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
    }

    /** A group's mutable state: the current learning rate (schedules change it) next to its initial one. */
    private static final class Group {
        final ParamGroup spec;
        double lr;

        Group(ParamGroup spec) {
            this.spec = spec;
            this.lr = spec.lr();
        }
    }

    private final List<Group> groups = new ArrayList<>();
    /** Per parameter name: its state tensors by key (exp_avg, exp_avg_sq, momentum_buffer). */
    private final Map<String, Map<String, Tensor>> state = new LinkedHashMap<>();
    /** Per parameter name: how many updates it has received. */
    private final Map<String, Long> steps = new LinkedHashMap<>();

    protected Optimizer(List<ParamGroup> paramGroups) {
        if (paramGroups.isEmpty()) throw new IllegalArgumentException("an optimizer needs at least one parameter group");
        Map<String, Parameter> seen = new LinkedHashMap<>();
        Map<Parameter, String> names = new java.util.IdentityHashMap<>();
        for (ParamGroup g : paramGroups) {
            for (Map.Entry<String, Parameter> e : g.params().entrySet()) {
                if (seen.put(e.getKey(), e.getValue()) != null) {
                    throw new IllegalArgumentException("parameter '" + e.getKey() + "' appears in more than one group");
                }
                String other = names.put(e.getValue(), e.getKey());
                if (other != null) {
                    throw new IllegalArgumentException("parameters '" + other + "' and '" + e.getKey()
                            + "' are the same parameter; it would be updated twice per step");
                }
                DType t = e.getValue().data().dtype();
                if (e.getValue().trainable() && t != DType.F32 && t != DType.F64) {
                    throw new IllegalArgumentException("parameter '" + e.getKey() + "' is " + t
                            + "; trainable parameters must be F32 (or F64) for the optimizer to update them");
                }
            }
            groups.add(new Group(g));
        }
    }

    /** Parameters given as a list are named by position ("0", "1", ...). */
    protected static Map<String, Parameter> named(List<Parameter> params) {
        Map<String, Parameter> m = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) m.put(Integer.toString(i), params.get(i));
        return m;
    }

    // ------------------------------------------------------------------ the update

    /** One update of every trainable parameter that has a gradient. */
    public final void step() {
        try (var off = GradMode.off()) {
            for (Group g : groups) {
                for (Map.Entry<String, Parameter> e : g.spec.params().entrySet()) {
                    Parameter p = e.getValue();
                    if (!p.trainable() || p.grad() == null) continue;
                    String name = e.getKey();
                    long step = steps.merge(name, 1L, Long::sum);
                    Map<String, Tensor> s = state.computeIfAbsent(name, k -> new LinkedHashMap<>());
                    Tensor updated = update(p.data(), p.grad(), s, step, g.lr, g.spec.weightDecay());
                    if (updated != p.data()) p.update(updated);
                }
            }
        }
    }

    /**
     * The optimizer's rule: returns the new parameter values (or {@code param} itself when it was updated in place)
     * and updates {@code state} (put new tensors, or write into existing ones). {@code step} counts from 1.
     */
    protected abstract Tensor update(Tensor param, Tensor grad, Map<String, Tensor> state, long step, double lr,
                                     double weightDecay);

    /** Clears the gradients of all parameters (torch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        for (Group g : groups) g.spec.params().values().forEach(Parameter::zeroGrad);
    }

    // ------------------------------------------------------------------ groups and learning rates

    public int groupCount() {
        return groups.size();
    }

    public ParamGroup group(int i) {
        return groups.get(i).spec;
    }

    /** The current learning rate of group {@code i}. */
    public double lr(int i) {
        return groups.get(i).lr;
    }

    /** The learning rate of the first group. */
    public double lr() {
        return lr(0);
    }

    public void setLr(int i, double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        groups.get(i).lr = lr;
    }

    /** Every parameter by name, across groups. */
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        for (Group g : groups) all.putAll(g.spec.params());
        return all;
    }

    // ------------------------------------------------------------------ state (checkpoints)

    /** The state tensors (the live ones, not copies) as {@code "<param name>.<key>"}. */
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((name, s) -> s.forEach((k, t) -> out.put(name + "." + k, t)));
        return out;
    }

    /** Update counts per parameter name (parameters never updated are absent). */
    public Map<String, Long> stepCounts() {
        return Collections.unmodifiableMap(steps);
    }

    /** Current learning rate of every group. */
    public double[] learningRates() {
        return groups.stream().mapToDouble(g -> g.lr).toArray();
    }

    /** The state keys this optimizer keeps for a parameter that has been updated (for validating checkpoints). */
    public abstract List<String> stateKeys();

    /** A checked optimizer state, ready to install with {@link #installState}. */
    public static final class CheckedState {
        private final Map<String, Map<String, Tensor>> tensors;
        private final Map<String, Long> steps;
        private final double[] lrs;

        private CheckedState(Map<String, Map<String, Tensor>> tensors, Map<String, Long> steps, double[] lrs) {
            this.tensors = tensors;
            this.steps = steps;
            this.lrs = lrs;
        }
    }

    /**
     * Checks a saved state against this optimizer — unknown parameter names, missing or unexpected state tensors,
     * shapes, group count — throwing {@link IllegalArgumentException} naming the entry; changes nothing. Tensors
     * are copied into fresh arrays of the parameters' dtype, on the parameters' device.
     */
    public CheckedState checkState(Map<String, Tensor> tensors, Map<String, Long> stepCounts, double[] lrs) {
        Map<String, Parameter> params = parameters();
        if (lrs.length != groups.size()) {
            throw new IllegalArgumentException("state has " + lrs.length + " parameter groups, this optimizer has " + groups.size());
        }
        for (double lr : lrs) if (!(lr >= 0)) throw new IllegalArgumentException("state has learning rate " + lr);
        List<String> keys = stateKeys();
        Map<String, Map<String, Tensor>> next = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : stepCounts.entrySet()) {
            Parameter p = params.get(e.getKey());
            if (p == null) throw new IllegalArgumentException("optimizer state names parameter '" + e.getKey()
                    + "', which this optimizer does not have");
            if (e.getValue() < 1) throw new IllegalArgumentException("optimizer step count of '" + e.getKey() + "' is " + e.getValue());
            Map<String, Tensor> s = new LinkedHashMap<>();
            for (String k : keys) {
                String entry = e.getKey() + "." + k;
                Tensor t = tensors.get(entry);
                if (t == null) throw new IllegalArgumentException("optimizer state entry '" + entry + "' is missing");
                if (!Arrays.equals(t.shape(), p.shape())) {
                    throw new IllegalArgumentException("optimizer state entry '" + entry + "' has shape "
                            + Arrays.toString(t.shape()) + ", parameter has " + Arrays.toString(p.shape()));
                }
                s.put(k, t.to(p.data().dtype()).copy().toDevice(p.data().device())); // where the update runs
            }
            next.put(e.getKey(), s);
        }
        for (String entry : tensors.keySet()) {
            int dot = entry.lastIndexOf('.');
            String name = dot < 0 ? entry : entry.substring(0, dot);
            if (!next.containsKey(name) || !keys.contains(entry.substring(dot + 1))) {
                throw new IllegalArgumentException("unexpected optimizer state entry '" + entry + "'");
            }
        }
        return new CheckedState(next, new LinkedHashMap<>(stepCounts), lrs.clone());
    }

    /** Replaces the whole state with a checked one. */
    public void installState(CheckedState checked) {
        state.clear();
        state.putAll(checked.tensors);
        steps.clear();
        steps.putAll(checked.steps);
        for (int i = 0; i < checked.lrs.length; i++) setLr(i, checked.lrs[i]);
    }
}
