package org.crs4j.data.other;

import static org.crs4j.data.Fixtures.json;
import static org.crs4j.data.Fixtures.lines;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.data.Fixtures;
import org.crs4j.data.gorecdial.CrsLabDialogueReader;
import org.crs4j.data.inspired.InspiredTsvReader;
import org.crs4j.data.inspired.InspiredUniCrsReader;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.MalformedDataException;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.Role;
import org.crs4j.data.movielens.MovieLensLinks;
import org.crs4j.data.movielens.MovieLensReader;
import org.crs4j.data.movielens.MovieTitles;
import org.crs4j.data.opendialkg.OpenDialKgDialogueReader;
import org.crs4j.data.tgredial.TgRedialReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** INSPIRED, MovieLens, OpenDialKG, TG-ReDial and CRSLab/GoRecDial readers on generated fixtures. */
class OtherReadersTest {
    @TempDir Path dir;

    private DataFile f(String name, String content) { return Fixtures.file(dir, name, content); }

    private static void assertMalformed(String expectedPrefix, Runnable r) {
        var e = assertThrows(MalformedDataException.class, r::run);
        assertTrue(e.getMessage().startsWith(expectedPrefix), "got: " + e.getMessage());
    }

    // ---------------- INSPIRED ----------------

    static String inspiredTurn(String role, String text, String movies, String links, String names, String entities) {
        return json("{'text':'" + text + "','role':'" + role + "','movie':[" + movies + "],'entity_link':[" + entities
                + "],'entity_name':[],'movie_link':[" + links + "],'movie_name':[" + names + "]}");
    }

    @Test
    void inspiredUniCrsTurnsItemsAndEntities() {
        String d1 = "[" + inspiredTurn("RECOMMENDER", "Hi! What do you like?", "", "", "", "") + ","
                + inspiredTurn("SEEKER", "Action and Joker", json("'Joker (2019)'"), json("'<http://dbpedia.org/resource/Joker_(2019_film)>'"), json("'Joker'"),
                json("'<http://dbpedia.org/resource/Action_film>'")) + "]";
        Map<String, Item> items = new HashMap<>();
        List<Dialogue> ds = InspiredUniCrsReader.read(f("train.jsonl.gz", lines(d1)), "train", items, ReadReport.strict());
        assertEquals("train-1", ds.getFirst().id());
        var t = ds.getFirst().turns().get(1);
        assertEquals(Role.SEEKER, t.role());
        assertEquals(List.of("<http://dbpedia.org/resource/Joker_(2019_film)>"), t.items());
        assertEquals(List.of("<http://dbpedia.org/resource/Action_film>"), t.entities());
        Item joker = items.get("<http://dbpedia.org/resource/Joker_(2019_film)>");
        assertEquals("Joker", joker.name());
        assertEquals(2019, joker.year());

        assertMalformed("bad.jsonl line 1, field [0].role: unknown role \"BOT\"", () -> InspiredUniCrsReader.read(
                f("bad.jsonl", lines("[" + inspiredTurn("BOT", "x", "", "", "", "") + "]")), "t", new HashMap<>(), ReadReport.strict()));
        assertMalformed("bad2.jsonl line 1, field [0].movie_name: has 0 names for 1 movie_link entries", () -> InspiredUniCrsReader.read(
                f("bad2.jsonl", lines("[" + inspiredTurn("SEEKER", "x", "", json("'<u>'"), "", "") + "]")), "t", new HashMap<>(), ReadReport.strict()));
        assertMalformed("bad3.jsonl line 1: expected a JSON array of turns", () -> InspiredUniCrsReader.read(
                f("bad3.jsonl", lines("{}")), "t", new HashMap<>(), ReadReport.strict()));
        assertMalformed("bad4.jsonl line 1, field [0].entity_link[0]: expected a string, got null", () -> InspiredUniCrsReader.read(
                f("bad4.jsonl", lines("[" + inspiredTurn("SEEKER", "x", "", "", "", "null") + "]")), "t", new HashMap<>(), ReadReport.strict()));
    }

    static String tsvRow(String dialog, int utt, String speaker, String text, String movies) {
        String[] cols = new String[19];
        java.util.Arrays.fill(cols, "");
        cols[0] = dialog; cols[1] = Integer.toString(utt); cols[2] = speaker; cols[3] = "1"; cols[4] = text; cols[5] = text; cols[6] = movies;
        return String.join("\t", cols);
    }

    @Test
    void inspiredOriginalTsv() {
        String header = "dialog_id\tutt_id\tspeaker\tturn_id\ttext\ttext_with_placeholder\tmovies\tgenres\tpeople_names\tmovie_dict\tgenre_dict\tactor_dict\tdirector_dict\tothers_dict\texpert_label\tsecond_label\tfine_label\tcoarse_label\tmovie_id";
        DataFile good = f("dev.tsv.gz", lines(header, tsvRow("a.pkl", 1, "RECOMMENDER", "Hello", ""),
                tsvRow("a.pkl", 2, "SEEKER", "I saw the QUOTATION_MARKfutureQUOTATION_MARK", "The Future (2011); Mine (2016)"),
                tsvRow("b.pkl", 1, "SEEKER", "hi", "")));
        List<Dialogue> ds = InspiredTsvReader.read(good, ReadReport.strict());
        assertEquals(2, ds.size());
        assertEquals("I saw the \"future\"", ds.getFirst().turns().get(1).text());
        assertEquals(List.of("The Future (2011)", "Mine (2016)"), ds.getFirst().turns().get(1).items());
        assertMalformed("o1.tsv line 2: expected 19 tab-separated columns, found 3", () -> InspiredTsvReader.read(f("o1.tsv", lines(header, "a\t1\tSEEKER")), ReadReport.strict()));
        assertMalformed("o2.tsv line 3, field utt_id: utterance 1 comes after 2", () -> InspiredTsvReader.read(
                f("o2.tsv", lines(header, tsvRow("a", 2, "SEEKER", "x", ""), tsvRow("a", 1, "SEEKER", "y", ""))), ReadReport.strict()));
        assertMalformed("o3.tsv line 2, field speaker", () -> InspiredTsvReader.read(f("o3.tsv", lines(header, tsvRow("a", 1, "ROBOT", "x", ""))), ReadReport.strict()));
        assertMalformed("o4.tsv line 2, field utt_id: expected an integer", () -> InspiredTsvReader.read(
                f("o4.tsv", lines(header, tsvRow("a", 1, "SEEKER", "x", "").replaceFirst("\t1\t", "\tone\t"))), ReadReport.strict()));
    }

    // ---------------- MovieLens ----------------

    @Test
    void movieLensCatalogueAndTitleMatching() {
        Fixtures.write(dir, "ml/movies.csv", lines("movieId,title,genres", "1,Toy Story (1995),Adventure|Animation",
                "2,\"American President, The (1995)\",Comedy|Drama|Romance", "3,Seven (a.k.a. Se7en) (1995),Mystery|Thriller",
                "4,Heat (1995),Action"));
        Fixtures.write(dir, "ml/links.csv", lines("movieId,imdbId,tmdbId", "1,0114709,862"));
        Fixtures.write(dir, "ml/ratings.csv.gz", lines("userId,movieId,rating,timestamp", "1,1,4.0,9", "2,1,5.0,9", "2,2,3.0,9"));
        List<Item> ml = MovieLensReader.read(dir.resolve("ml"), ReadReport.strict());
        assertEquals(4, ml.size());
        assertEquals("The American President", ml.get(1).name());
        assertEquals("Seven", ml.get(2).name());
        assertEquals("2", ml.get(0).attributes().get("ratings"));
        assertEquals("4.50", ml.get(0).attributes().get("meanRating"));
        assertEquals("Adventure,Animation", ml.get(0).attributes().get("genres"));
        assertEquals("0114709", ml.get(0).attributes().get("imdbId"));
        assertEquals(List.of("Seven", "Se7en"), MovieTitles.names("Seven (a.k.a. Se7en)"));

        List<Item> redial = List.of(new Item("10", "The American President", 1995, null, Map.of()),
                new Item("11", "Se7en", 1995, null, Map.of()), new Item("12", "Heat", 1986, null, Map.of()),
                new Item("13", "Toy Story", 0, null, Map.of()));
        var r = MovieLensLinks.attach(redial, ml);
        assertEquals(2, r.matched(), "wrong year and missing year do not match");
        assertEquals("2", r.items().get(0).attributes().get("movielensId"));
        assertEquals("3", r.items().get(1).attributes().get("movielensId"));
        assertNull(r.items().get(2).attributes().get("movielensId"));

        Fixtures.write(dir, "ml2/movies.csv", lines("movieId,title,genres", "x,Bad (1999),Drama"));
        assertMalformed("ml2/movies.csv line 2, field movieId: expected an integer id, got \"x\"", () -> MovieLensReader.read(dir.resolve("ml2"), ReadReport.strict()));
        Fixtures.write(dir, "ml3/movies.csv", lines("movieId,title,genres", "1,A (1999),Drama"));
        Fixtures.write(dir, "ml3/ratings.csv", lines("userId,movieId,rating,timestamp", "1,1,7.5,0"));
        assertMalformed("ml3/ratings.csv line 2, field rating: outside 0..5", () -> MovieLensReader.read(dir.resolve("ml3"), ReadReport.strict()));
    }

    // ---------------- OpenDialKG ----------------

    static String csvQuote(String s) { return "\"" + s.replace("\"", "\"\"") + "\""; }

    @Test
    void openDialKgCsvWithKgWalks() {
        String messages = json("[{'type':'chat','sender':'user','message':'Do you like Inception?'},"
                + "{'type':'action','sender':'assistant','action_id':'kgwalk/choose_path','metadata':{'path':[0.9,[['Inception','written_by','Christopher Nolan'],['Christopher Nolan','~written_by','The Prestige']],'rendering']}},"
                + "{'type':'chat','sender':'assistant','message':'Yes! Nolan also wrote\\nThe Prestige.'},"
                + "{'type':'chat','sender':'user','message':'Great, thanks'}]");
        DataFile file = f("opendialkg.csv", "Messages,User Rating,Assistant Rating\n" + csvQuote(messages) + ",5,4\n" + csvQuote("[]") + ",,\n");
        // a conversation without messages is malformed: refused, or skipped and counted with --lenient
        assertMalformed("opendialkg.csv line 3, field Messages: no messages", () -> OpenDialKgDialogueReader.read(file, ReadReport.strict()));
        ReadReport lenient = ReadReport.lenient();
        List<Dialogue> ds = OpenDialKgDialogueReader.read(file, lenient);
        assertEquals(1, ds.size());
        assertEquals(1, lenient.skipped("opendialkg.csv"));
        var turns = ds.getFirst().turns();
        assertEquals(3, turns.size(), "actions are not turns");
        assertEquals(Role.RECOMMENDER, turns.get(1).role());
        assertEquals("Yes! Nolan also wrote\nThe Prestige.", turns.get(1).text());
        assertEquals(List.of("Inception", "Christopher Nolan", "The Prestige"), turns.get(1).entities());
        assertEquals(List.of("The Prestige"), turns.get(1).items(), "the walk's end is the recommended item");
        assertEquals(List.of(), turns.get(2).entities());

        String header = "Messages,User Rating,Assistant Rating\n";
        assertMalformed("o1.csv line 2, field Messages: invalid JSON", () -> OpenDialKgDialogueReader.read(f("o1.csv", header + csvQuote("[{") + ",1,1\n"), ReadReport.strict()));
        assertMalformed("o2.csv line 2, field Messages[0].type: expected chat or action, got \"video\"", () -> OpenDialKgDialogueReader.read(
                f("o2.csv", header + csvQuote(json("[{'type':'video','sender':'user'}]")) + ",1,1\n"), ReadReport.strict()));
        assertMalformed("o3.csv line 2, field Messages[0].sender: unknown role \"robot\"", () -> OpenDialKgDialogueReader.read(
                f("o3.csv", header + csvQuote(json("[{'type':'chat','sender':'robot','message':'x'}]")) + ",1,1\n"), ReadReport.strict()));
        assertMalformed("o4.csv line 2, field Messages[0].metadata.path", () -> OpenDialKgDialogueReader.read(
                f("o4.csv", header + csvQuote(json("[{'type':'action','sender':'assistant','metadata':{'path':'x'}}]")) + ",1,1\n"), ReadReport.strict()));
        assertMalformed("o5.csv line 2: expected 3 columns", () -> OpenDialKgDialogueReader.read(f("o5.csv", header + csvQuote("[]") + "\n"), ReadReport.strict()));
        assertMalformed("o6.csv line 1: expected the header", () -> OpenDialKgDialogueReader.read(f("o6.csv", "a,b,c\n"), ReadReport.strict()));
        assertMalformed("o7.csv line 2, field Messages[0].message: missing", () -> OpenDialKgDialogueReader.read(
                f("o7.csv", header + csvQuote(json("[{'type':'chat','sender':'user'}]")) + ",1,1\n"), ReadReport.strict()));
    }

    // ---------------- TG-ReDial ----------------

    @Test
    void tgRedialDialoguesTopicsAndMovies() {
        String conv = json("[{'conv_id':10034,'user_id':'563','messages':[{'local_id':1,'role':'Recommender','content':'你在忙什么呢？'},"
                + "{'local_id':2,'role':'Seeker','content':'我想看恐怖的逻辑片。'},{'local_id':3,'role':'Recommender','content':'推荐《厉鬼将映》'}],"
                + "'goal_path':{'2':['Seeker','允许推荐',['恐怖','逻辑']],'3':['Rec','推荐电影','厉鬼将映'],'1':['Rec','谈论',null]},"
                + "'mentionMovies':{'3':['3529375','厉鬼将映(2008)']}}]");
        List<Dialogue> ds = TgRedialReader.read(f("test_data.json.gz", conv), ReadReport.strict());
        var turns = ds.getFirst().turns();
        assertEquals("10034", ds.getFirst().id());
        assertEquals(List.of("恐怖", "逻辑"), turns.get(1).entities());
        assertEquals(List.of("3529375"), turns.get(2).items());
        assertEquals(List.of(), turns.get(2).entities(), "a recommended movie is an item, not a topic");
        List<Item> movies = TgRedialReader.readMovies(f("movies.csv", lines("global_id,movieName,db_id,db_id", "0,精灵鼠小弟(1999),1295242,1295242", "1,机智的山羊(0),2123620,2123620")), ReadReport.strict());
        assertEquals("精灵鼠小弟", movies.get(0).name());
        assertEquals(1999, movies.get(0).year());
        assertEquals(0, movies.get(1).year());
        assertEquals(TgRedialReader.MOVIE_PREFIX + "2123620", movies.get(1).entity());

        assertMalformed("t1.json record 1 (line 1), field messages[0].role", () -> TgRedialReader.read(
                f("t1.json", json("[{'conv_id':1,'messages':[{'local_id':1,'role':'Bot','content':'x'}]}]")), ReadReport.strict()));
        assertMalformed("t2.json record 1 (line 1), field mentionMovies.1", () -> TgRedialReader.read(
                f("t2.json", json("[{'conv_id':1,'messages':[{'local_id':1,'role':'Seeker','content':'x'}],'mentionMovies':{'1':[3]}}]")), ReadReport.strict()));
        assertMalformed("t3.json record 1 (line 1), field messages[0].local_id: expected an integer", () -> TgRedialReader.read(
                f("t3.json", json("[{'conv_id':1,'messages':[{'local_id':'a','role':'Seeker','content':'x'}]}]")), ReadReport.strict()));
        assertMalformed("t4.json record 1 (line 1), field goal_path.1[2]", () -> TgRedialReader.read(
                f("t4.json", json("[{'conv_id':1,'messages':[{'local_id':1,'role':'Seeker','content':'x'}],'goal_path':{'1':['S','谈论',{}]}}]")), ReadReport.strict()));
        assertMalformed("t5.csv line 2, field db_id: empty", () -> TgRedialReader.readMovies(f("t5.csv", lines("global_id,movieName,db_id,db_id", "0,x(1999),,")), ReadReport.strict()));
    }

    // ---------------- CRSLab / GoRecDial ----------------

    @Test
    void crsLabDialogues() {
        String data = json("[{'dialog':[{'role':'Seeker','text':'i like dramas','movies':[],'entity':['<http://dbpedia.org/resource/Drama_film>'],'word':['dramas']},"
                + "{'role':'Recommender','text':['try','schindler','s','list'],'movies':['<http://dbpedia.org/resource/Schindler%27s_List>'],'entity':[],'decide':'rec'}]},"
                + "{'conv_id':77,'dialog':[]}]");
        // a dialogue without messages is malformed: refused, or skipped and counted with --lenient
        assertMalformed("train_data.json record 2 (line 1), field dialog: no messages", () -> CrsLabDialogueReader.read(f("train_data.json", data), ReadReport.strict()));
        ReadReport lenient = ReadReport.lenient();
        List<Dialogue> ds = CrsLabDialogueReader.read(f("train_data.json", data), lenient);
        assertEquals(List.of("1"), ds.stream().map(Dialogue::id).toList());
        assertEquals(1, lenient.skipped("train_data.json"));
        assertEquals("try schindler s list", ds.getFirst().turns().get(1).text());
        assertEquals(List.of("<http://dbpedia.org/resource/Schindler%27s_List>"), ds.getFirst().turns().get(1).items());
        assertMalformed("g1.json record 1 (line 1), field dialog[0].text: expected a string or a list of tokens", () -> CrsLabDialogueReader.read(
                f("g1.json", json("[{'dialog':[{'role':'Seeker','text':3}]}]")), ReadReport.strict()));
        assertMalformed("g2.json record 1 (line 1), field dialog[0].role", () -> CrsLabDialogueReader.read(
                f("g2.json", json("[{'dialog':[{'role':'Alien','text':'x'}]}]")), ReadReport.strict()));
        assertMalformed("g3.json record 1 (line 1), field dialog: missing", () -> CrsLabDialogueReader.read(f("g3.json", json("[{}]")), ReadReport.strict()));
        assertMalformed("g4.json record 1 (line 1), field dialog[0].movies[0]: expected a string", () -> CrsLabDialogueReader.read(
                f("g4.json", json("[{'dialog':[{'role':'Seeker','text':'x','movies':[1]}]}]")), ReadReport.strict()));
    }
}
