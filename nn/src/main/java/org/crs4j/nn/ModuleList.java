package org.crs4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * An indexed list of child modules named "0", "1", ... (torch.nn.ModuleList), so that parameter names come out as
 * Hugging Face writes them: {@code model.layers.3.self_attn.q_proj.weight}, {@code encoder.block.0.layer.1...}.
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    public ModuleList() {}

    public ModuleList(List<? extends M> modules) {
        modules.forEach(this::add);
    }

    /** Appends a module under the next index and returns it. */
    public M add(M module) {
        items.add(child(String.valueOf(items.size()), module));
        return module;
    }

    public M get(int index) {
        return items.get(index);
    }

    public int size() {
        return items.size();
    }

    public List<M> asList() {
        return Collections.unmodifiableList(items);
    }

    @Override
    public Iterator<M> iterator() {
        return asList().iterator();
    }
}
