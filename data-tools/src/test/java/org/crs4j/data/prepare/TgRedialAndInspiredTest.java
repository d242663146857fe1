package org.crs4j.data.prepare;

import static org.crs4j.data.Fixtures.json;
import static org.crs4j.data.Fixtures.lines;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.crs4j.data.Fixtures;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.model.Split;
import org.crs4j.data.tgredial.TgRedialReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TgRedialAndInspiredTest {
    @TempDir Path data;

    @Test
    void tgRedialEntitiesAreMoviesAndTopicsLinkedInChineseText() {
        Fixtures.write(data, "tgredial/movies_with_mentions.utf8.csv.gz", lines("global_id,movieName,db_id,db_id",
                "0,厉鬼将映(2008),3529375,3529375", "1,考死：血之期中考试(2008),3150346,3150346"));
        Fixtures.write(data, "tgredial/topic_to_id_2k5.json", json("{'恐怖':0,'逻辑':1,'哲学':2}"));
        String conv = json("[{'conv_id':1,'user_id':'5','messages':[{'local_id':1,'role':'Seeker','content':'我想看恐怖的逻辑片。'},"
                + "{'local_id':2,'role':'Recommender','content':'推荐《厉鬼将映》，你也许看过《考死：血之期中考试》'}],"
                + "'goal_path':{'1':['Seeker','谈论','哲学']},'mentionMovies':{'2':['3529375','厉鬼将映(2008)']}}]");
        Fixtures.write(data, "tgredial/valid_data.json.gz", conv);
        Fixtures.write(data, "tgredial/test_data.json.gz", conv);
        var d = Datasets.get("tgredial").load(data, DatasetLoader.Options.strict());
        assertEquals(0, d.split(Split.TRAIN).size(), "no train split in the shared form");
        PreparedDataset p = Preparer.prepare(d, PrepareOptions.defaults(), Progress.NONE);
        var keys = p.graph().entityKeys();
        var turns = p.split(Split.TEST).dialogues().getFirst().turns();
        List<String> seeker = java.util.Arrays.stream(turns.get(0).entities()).mapToObj(keys::get).toList();
        assertEquals(List.of("恐怖", "逻辑", "哲学"), seeker, "linked topics by position, then the annotated goal topic");
        List<String> rec = java.util.Arrays.stream(turns.get(1).entities()).mapToObj(keys::get).toList();
        assertEquals(List.of(TgRedialReader.MOVIE_PREFIX + "3529375", TgRedialReader.MOVIE_PREFIX + "3150346"), rec);
        assertEquals(1, p.split(Split.TEST).recommendations().size());
        assertEquals(List.of("谈论"), turns.get(0).acts(), "the goal path's action");
        assertEquals(List.of(), turns.get(1).acts(), "no goal-path entry");
        assertEquals(List.of("self_loop"), p.graph().relationNames());
        assertEquals(2 + 3, p.graph().edgeCount(), "self-loops only");
    }

    @Test
    void goalActionsSurviveMergingAndTheCache() throws Exception {
        Fixtures.write(data, "tgredial/movies_with_mentions.utf8.csv.gz", lines("global_id,movieName,db_id,db_id", "0,厉鬼将映(2008),3529375,3529375"));
        Fixtures.write(data, "tgredial/topic_to_id_2k5.json", json("{'恐怖':0}"));
        String conv = json("[{'conv_id':1,'user_id':'5','messages':[{'local_id':1,'role':'Seeker','content':'好看'},"
                + "{'local_id':2,'role':'Seeker','content':'还有吗？'},{'local_id':3,'role':'Recommender','content':'推荐《厉鬼将映》'}],"
                + "'goal_path':{'1':['Seeker','反馈',null,'请求推荐','恐怖'],'2':['Seeker','请求推荐','恐怖'],'3':['Rec','推荐电影','厉鬼将映']},"
                + "'mentionMovies':{'3':['3529375','厉鬼将映(2008)']}}]");
        Fixtures.write(data, "tgredial/valid_data.json.gz", conv);
        Fixtures.write(data, "tgredial/test_data.json.gz", conv);
        Path cache = data.resolve("cache");
        var first = PreparedData.obtain(data, "tgredial", DatasetLoader.Options.strict(), PrepareOptions.defaults(), cache, false, Progress.NONE);
        var second = PreparedData.obtain(data, "tgredial", DatasetLoader.Options.strict(), PrepareOptions.defaults(), cache, false, Progress.NONE);
        assertTrue(second.fromCache());
        for (var r : List.of(first, second)) {
            var turns = r.dataset().split(Split.VALID).dialogues().getFirst().turns();
            assertEquals(2, turns.size(), "the two seeker utterances are merged");
            assertEquals(List.of("反馈", "请求推荐"), turns.get(0).acts(), "in order, without repeats");
            assertEquals(List.of("推荐电影"), turns.get(1).acts());
        }
    }

    @Test
    void inspiredLoadsUniCrsSplitsAndGraph() {
        String turn1 = json("{'text':'Hi','role':'RECOMMENDER','movie':[],'entity_link':[],'entity_name':[],'movie_link':[],'movie_name':[]}");
        String turn2 = json("{'text':'I liked Joker','role':'SEEKER','movie':['Joker (2019)'],'entity_link':['<A>'],'entity_name':['a'],'movie_link':['<J>'],'movie_name':['Joker']}");
        String turn3 = json("{'text':'Try Joker','role':'RECOMMENDER','movie':['Joker (2019)'],'entity_link':['<unknown>'],'entity_name':['x'],'movie_link':['<J>'],'movie_name':['Joker']}");
        String dialog = "[" + turn1 + "," + turn2 + "," + turn3 + "]";
        for (String s : List.of("train", "valid", "test")) Fixtures.write(data, "inspired/unicrs/" + s + "_data_dbpedia.jsonl.gz", lines(dialog));
        Fixtures.write(data, "inspired/unicrs/entity2id.json.gz", json("{'<J>':0,'<A>':1}"));
        Fixtures.write(data, "inspired/unicrs/relation2id.json", json("{'<starring>':0,'self_loop':1}"));
        Fixtures.write(data, "inspired/unicrs/dbpedia_subkg.json.gz", json("{'0':[[1,0],[0,1]]}"));
        var d = Datasets.get("inspired").load(data, DatasetLoader.Options.strict());
        assertEquals(1, d.items().size());
        PreparedDataset p = Preparer.prepare(d, PrepareOptions.defaults(), Progress.NONE);
        var train = p.split(Split.TRAIN);
        assertEquals(1, train.recommendations().size());
        assertArrayEquals(new int[] {1, 0}, train.recommendations().getFirst().contextEntities(), "annotated <A> then the item <J>");
        assertEquals(1, p.linking().unknownEntities() / 3, "one unknown annotation per split");
        assertEquals(List.of("<starring>", "self_loop"), p.graph().relationNames(), "the file's self_loop relation is replaced by ours");
    }
}
