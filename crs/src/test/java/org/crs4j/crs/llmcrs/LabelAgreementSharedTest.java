package org.crs4j.crs.llmcrs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.Progress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The labeler's agreement with TG-ReDial's goal actions on the real valid split, as the README reports it. */
@Tag("slow")
class LabelAgreementSharedTest {
    @TempDir Path cache;

    @Test
    void rulesAgreeWithTgRedialsAnnotationOnItsValidSplit() {
        Path data = Path.of(System.getProperty("crs4j.shared", "../../shared"), "data");
        assumeTrue(Files.isDirectory(data.resolve("tgredial")), "../shared/data/tgredial is not present: " + data);
        Environment env = LlmcrsSetup.environment(data, "tgredial", null, cache, Progress.NONE);
        try (var db = env.db()) {
            var labeler = new SubTaskLabeler(env);
            var given = LabelAgreement.measure(env.data().split(Split.VALID), labeler, env, false);
            var text = LabelAgreement.measure(env.data().split(Split.VALID), labeler, env, true);
            given.lines().forEach(l -> System.out.println("items given: " + l));
            text.lines().forEach(l -> System.out.println("text only:   " + l));
            assertTrue(given.annotated() == 4125, "recommender turns with a goal action: " + given.annotated());
            assertTrue(given.agreement() > 0.99 && text.agreement() > 0.985, given.agreement() + " " + text.agreement());
        }
    }
}
