package org.crs4j.data.model;

import java.util.List;
import org.crs4j.data.gorecdial.GoRecDialLoader;
import org.crs4j.data.inspired.InspiredLoader;
import org.crs4j.data.opendialkg.OpenDialKgLoader;
import org.crs4j.data.redial.RedialLoader;
import org.crs4j.data.tgredial.TgRedialLoader;

/** The datasets crs4j knows, by command-line name. */
public final class Datasets {
    private static final List<DatasetLoader> ALL = List.of(
            new RedialLoader(), new InspiredLoader(), new OpenDialKgLoader(), new TgRedialLoader(), new GoRecDialLoader());

    private Datasets() {}

    public static List<DatasetLoader> all() { return ALL; }

    public static List<String> names() { return ALL.stream().map(DatasetLoader::name).toList(); }

    public static DatasetLoader get(String name) {
        for (DatasetLoader l : ALL) if (l.name().equalsIgnoreCase(name)) return l;
        throw new IllegalArgumentException("unknown dataset \"" + name + "\" (known: " + String.join(", ", names()) + ")");
    }
}
