package org.crs4j.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crs4j.tensor.Tensor;

/**
 * Reverse-mode backpropagation: nodes in reverse topological order, gradients summed per node, and each node
 * released right after it runs. Gradients of broadcast inputs are summed back to the input's shape here, once,
 * so that no op has to.
 */
final class Backprop {
    private Backprop() {}

    static void run(Variable root, Tensor seed) {
        Node start = root.node();
        if (start == null) {
            if (root.requiresGrad()) root.accumulate(sumToShape(seed, root.shape()));
            return;
        }
        if (start.released()) {
            throw new IllegalStateException("backward through a graph that was already backpropagated (its buffers are"
                    + " freed); recompute the forward pass");
        }
        List<Node> order = topologicalOrder(start);
        Map<Node, Tensor> grads = new IdentityHashMap<>();
        grads.put(start, seed);
        // Leaves' gradients are summed here and handed over at the end: a sum made here is a fresh tensor that the
        // leaf can keep as is, where accumulating each part would copy the first one (it may be shared).
        Map<Variable, Tensor> leafGrads = new IdentityHashMap<>();
        Set<Tensor> sums = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        java.util.function.BinaryOperator<Tensor> add = (x, y) -> {
            Tensor s = x.add(y);
            sums.add(s);
            return s;
        };
        try (var off = GradMode.off()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Node node = order.get(i);
                Tensor g = grads.remove(node);
                if (g == null) {
                    node.release();
                    continue;
                }
                Tensor[] inputGrads = node.backward.apply(g, node.needs);
                Variable[] inputs = node.inputs;
                for (int k = 0; k < inputs.length; k++) {
                    Variable in = inputs[k];
                    Tensor gi = inputGrads[k];
                    if (gi == null || !in.requiresGrad()) continue;
                    gi = sumToShape(gi, in.shape());
                    if (in.node() != null) {
                        grads.merge(in.node(), gi, Tensor::add);
                        if (in.retainsGrad()) in.accumulate(gi);
                    } else {
                        leafGrads.merge(in, gi, add);
                    }
                }
                node.release();
            }
        }
        leafGrads.forEach((leaf, g) -> {
            if (sums.contains(g)) leaf.accumulateOwned(g);
            else leaf.accumulate(g);
        });
    }

    /** Nodes reachable from {@code start}, each after all nodes it depends on (iterative DFS: deep graphs are fine). */
    private static List<Node> topologicalOrder(Node start) {
        List<Node> order = new ArrayList<>();
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {start, 0});
        visited.put(start, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node node = (Node) frame[0];
            int next = (Integer) frame[1];
            if (next < node.inputs.length) {
                frame[1] = next + 1;
                Node child = node.inputs[next].node();
                if (child != null && child.inputs != null && visited.put(child, Boolean.TRUE) == null) {
                    stack.push(new Object[] {child, 0});
                }
            } else {
                stack.pop();
                order.add(node);
            }
        }
        return order; // dependencies first; the caller walks it backwards
    }

    /** Sums a broadcast gradient back to {@code shape} (leading dims removed, size-1 dims kept). */
    static Tensor sumToShape(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        if (lead < 0) throw new IllegalStateException("gradient of shape " + Arrays.toString(gs) + " is smaller than "
                + Arrays.toString(shape));
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < gs.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gs[d] != 1)) dims.add(d);
            else if (shape[d - lead] != gs[d]) {
                throw new IllegalStateException("gradient of shape " + Arrays.toString(gs) + " does not broadcast to "
                        + Arrays.toString(shape));
            }
        }
        Tensor r = g.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
        return lead == 0 ? r : r.reshape(shape);
    }
}
