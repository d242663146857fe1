package org.crs4j.data.redial;

import static org.crs4j.data.Fixtures.json;
import static org.crs4j.data.Fixtures.lines;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.crs4j.data.Fixtures;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.MalformedDataException;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedialReadersTest {
    @TempDir Path dir;

    static String conv(String id, String messages) {
        return json("{'conversationId':'" + id + "','initiatorWorkerId':1,'respondentWorkerId':2,'movieMentions':{'111':'Heat (1995)'},"
                + "'initiatorQuestions':{},'respondentQuestions':{},'messages':[" + messages + "]}");
    }

    static String msg(int sender, String text) {
        return json("{'timeOffset':0,'messageId':1,'senderWorkerId':" + sender + ",'text':'" + text + "'}");
    }

    @Test
    void readsRolesTextAndMovieMentionsFromGzip() {
        DataFile f = Fixtures.file(dir, "test_data.jsonl.gz", lines(
                conv("20001", msg(1, "Hi, I like @111 and @222") + "," + msg(2, "Try @333, or @111 again") + "," + msg(1, "thanks")),
                "",
                conv("20002", msg(2, "hello"))));
        List<Dialogue> ds = RedialConversationReader.read(f, ReadReport.strict());
        assertEquals(2, ds.size(), "blank lines are skipped");
        Dialogue d = ds.getFirst();
        assertEquals("20001", d.id());
        assertEquals(List.of(Role.SEEKER, Role.RECOMMENDER, Role.SEEKER), d.turns().stream().map(t -> t.role()).toList());
        assertEquals(List.of("111", "222"), d.turns().get(0).items());
        assertEquals(List.of("333", "111"), d.turns().get(1).items());
        assertEquals(List.of(), d.turns().get(2).items());
    }

    @Test
    void eachMalformedFieldIsNamedWithFileAndLine() {
        String good = conv("1", msg(1, "a"));
        assertError(lines(good, "{not json"), "c.jsonl line 2: invalid JSON");
        assertError(lines(json("{'conversationId':'3','initiatorWorkerId':1,'respondentWorkerId':2}")), "c.jsonl line 1, field messages: missing");
        assertError(lines(conv("4", msg(1, "a") + "," + json("{'senderWorkerId':2,'text':42}"))), "c.jsonl line 1, field messages[1].text: expected a string, got an integer (42)");
        assertError(lines(conv("5", msg(7, "who?"))), "c.jsonl line 1, field messages[0].senderWorkerId: worker 7 is neither the initiator (1) nor the respondent (2)");
        assertError(lines(json("{'conversationId':[1],'initiatorWorkerId':1,'respondentWorkerId':2,'messages':[]}")), "c.jsonl line 1, field conversationId: expected a string or integer id");
        assertError(lines(json("{'conversationId':'6','initiatorWorkerId':'x','respondentWorkerId':2,'messages':[]}")), "c.jsonl line 1, field initiatorWorkerId: expected an integer, got a string");
        assertError(lines(conv("7", "3")), "c.jsonl line 1, field messages[0]: expected an object");
    }

    private void assertError(String content, String expectedPrefix) {
        DataFile f = Fixtures.file(dir, "c.jsonl", content);
        var e = assertThrows(MalformedDataException.class, () -> RedialConversationReader.read(f, ReadReport.strict()));
        assertTrue(e.getMessage().startsWith(expectedPrefix), "got: " + e.getMessage());
    }

    @Test
    void lenientSkipsAndCountsBadConversations() {
        DataFile f = Fixtures.file(dir, "c.jsonl", lines(conv("1", msg(1, "a")), "{oops", conv("2", msg(9, "x")), conv("3", msg(2, "b"))));
        ReadReport report = ReadReport.lenient();
        List<Dialogue> ds = RedialConversationReader.read(f, report);
        assertEquals(List.of("1", "3"), ds.stream().map(Dialogue::id).toList());
        assertEquals(2, report.skipped("c.jsonl"));
    }

    @Test
    void moviesCsvSplitsNameAndYearAndRejectsBadRows() {
        DataFile f = Fixtures.file(dir, "movies_with_mentions.csv", lines("movieId,movieName,nbMentions",
                "75796,Headhunter  (2009),1", "80000,\"Crouching Tiger, Hidden Dragon (2000)\",12", "90000,No Year Film,0"));
        var items = RedialMoviesReader.read(f, ReadReport.strict());
        assertEquals(3, items.size());
        assertEquals("Headhunter", items.get(0).name());
        assertEquals(2009, items.get(0).year());
        assertEquals("Crouching Tiger, Hidden Dragon", items.get(1).name());
        assertEquals("12", items.get(1).attributes().get("mentions"));
        assertEquals(0, items.get(2).year());
        DataFile bad = Fixtures.file(dir, "m2.csv", lines("movieId,movieName,nbMentions", "12a,X (1999),1"));
        var e = assertThrows(MalformedDataException.class, () -> RedialMoviesReader.read(bad, ReadReport.strict()));
        assertEquals("m2.csv line 2, field movieId: expected a numeric id, got \"12a\"", e.getMessage());
        DataFile cols = Fixtures.file(dir, "m3.csv", lines("movieId,movieName,nbMentions", "12,X (1999)"));
        assertThrows(MalformedDataException.class, () -> RedialMoviesReader.read(cols, ReadReport.strict()));
        DataFile count = Fixtures.file(dir, "m4.csv", lines("movieId,movieName,nbMentions", "12,X (1999),many"));
        var c = assertThrows(MalformedDataException.class, () -> RedialMoviesReader.read(count, ReadReport.strict()));
        assertTrue(c.getMessage().contains("field nbMentions"), c.getMessage());
    }
}
