package org.crs4j.data;

import static org.crs4j.data.Fixtures.json;
import static org.crs4j.data.Fixtures.lines;
import static org.crs4j.data.Fixtures.write;

import java.nio.file.Path;

/** A miniature data directory in the shared layout, generated for loader, preparation, cache and CLI tests. */
public final class FixtureData {
    private FixtureData() {}

    public static final String HEAT = "<http://dbpedia.org/resource/Heat_(1995_film)>";
    public static final String ALIEN = "<http://dbpedia.org/resource/Alien_(film)>";
    public static final String PACINO = "<http://dbpedia.org/resource/Al_Pacino>";
    public static final String SCOTT = "<http://dbpedia.org/resource/Ridley_Scott>";
    public static final String HORROR = "<http://dbpedia.org/resource/Horror_film>";

    static String conv(String id, String... messages) {
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < messages.length; i++) {
            String[] parts = messages[i].split(":", 2);
            if (i > 0) m.append(',');
            m.append(json("{'senderWorkerId':" + (parts[0].equals("S") ? 1 : 2) + ",'text':'" + parts[1] + "'}"));
        }
        return json("{'conversationId':'" + id + "','initiatorWorkerId':1,'respondentWorkerId':2,'movieMentions':{},'messages':[") + m + "]}";
    }

    /** ReDial: 3 movies (one not in the KG), 5 entities, train 2 / valid 1 / test 1 conversations. */
    public static Path redial(Path dataDir) {
        write(dataDir, "redial/raw/movies_with_mentions.csv", lines("movieId,movieName,nbMentions",
                "1,Heat (1995),10", "2,Alien (1979),5", "3,\"Unlinked, The Movie (2000)\",1"));
        write(dataDir, "redial/raw/test_data.jsonl.gz", lines(conv("20001",
                "S:I love horror movies like @2", "R:Then try @1 with Al Pacino", "R:or @3", "S:thanks")));
        write(dataDir, "redial/train_subsets_union/train_side_union.jsonl.gz", lines(
                conv("100", "S:hi", "R:Ridley Scott made @2"), conv("101", "S:hello", "R:@1 is great")));
        write(dataDir, "redial/kgsf/valid_data.jsonl.gz", lines(conv("101", "S:hello", "R:@1 is great")));
        write(dataDir, "redial/cfcrs/valid_data.jsonl.gz", lines(conv("101", "S:hello", "R:@1 is great"), conv("102", "S:hey", "R:@2")));
        write(dataDir, "redial/kgsf/entity2entityId.json.gz", json("{'" + HEAT + "':0,'" + ALIEN + "':1,'" + PACINO + "':2,'" + SCOTT + "':3,'" + HORROR + "':4}"));
        write(dataDir, "redial/kgsf/subkg.json.gz", json("{'0':[[0,2],[5,0]],'1':[[1,3],[2,4],[5,1]]}"));
        write(dataDir, "redial/kgsf/id2entity.json.gz", json("{'1':'" + HEAT + "','2':'" + ALIEN + "','3':null}"));
        write(dataDir, "redial/kgsf/movie_ids.json", "[0,1]");
        write(dataDir, "movielens/ml-latest-small/movies.csv", lines("movieId,title,genres", "6,Heat (1995),Action|Crime|Thriller"));
        return dataDir;
    }

    /** GoRecDial in CRSLab's layout: 3 splits of one dialogue each, a 4-entity subgraph, 2 items. */
    public static Path gorecdial(Path dataDir) {
        String dialog = json("[{'dialog':[{'role':'Seeker','text':'i like dramas','movies':[],'entity':['" + HORROR + "'],'word':[]},"
                + "{'role':'Recommender','text':'try heat','movies':['" + HEAT + "'],'entity':['" + PACINO + "'],'word':[]}]}]");
        for (String s : new String[] {"train", "valid", "test"}) write(dataDir, "gorecdial/" + s + "_data.json", dialog);
        write(dataDir, "gorecdial/entity2id.json", json("{'" + HEAT + "':0,'" + ALIEN + "':1,'" + PACINO + "':2,'" + HORROR + "':3}"));
        write(dataDir, "gorecdial/dbpedia_subkg.txt", lines(HEAT + "\tstarring\t" + PACINO, ALIEN + "\tgenre\t" + HORROR));
        write(dataDir, "gorecdial/movie_ids.json", "[0,1]");
        return dataDir;
    }
}
