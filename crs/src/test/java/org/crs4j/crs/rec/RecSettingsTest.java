package org.crs4j.crs.rec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The variants' settings resources, the per-dataset changes, and settings read back with each bad field named. */
class RecSettingsTest {

    @Test
    void variantsDifferWhereThePaperAndKbrdDiffer() {
        RecSettings full = RecSettings.forVariant("full"), noCausal = RecSettings.forVariant("no-causal"), kbrd = RecSettings.forVariant("kbrd");
        assertTrue(full.causal() && full.relu() && full.pooling().equals("time-aware") && full.bases() == 0 && !full.outputBias());
        assertEquals(2.0, full.alpha());
        assertEquals(0.5, full.beta());
        assertEquals(1.5, full.lambda());
        assertEquals(100, full.maxContext());
        assertEquals(5e-3, full.lr());
        assertEquals(128, full.samplesPerUpdate());
        assertEquals(1000, full.warmupSteps());
        // no-causal is full without the causal terms, nothing else
        ObjectNode nc = noCausal.toJson();
        nc.put("variant", "full");
        nc.put("causal", true);
        assertEquals(full, RecSettings.fromJson(nc, "no-causal"));
        assertFalse(kbrd.causal() || kbrd.relu());
        assertEquals(8, kbrd.bases());
        assertEquals("self-attention", kbrd.pooling());
        assertTrue(kbrd.outputBias());
    }

    @Test
    void datasetsChangeOnlyTheBudget() {
        RecSettings redial = RecSettings.forVariant("full", "redial"), inspired = RecSettings.forVariant("full", "inspired");
        assertEquals(8, redial.maxEpochs());
        assertEquals(270, redial.warmupSteps());
        assertEquals(30, inspired.maxEpochs());
        assertEquals(1000, inspired.warmupSteps());
        assertEquals(RecSettings.forVariant("full"), RecSettings.forVariant("full", "tgredial"));
        assertEquals(RecSettings.forVariant("full").withMaxEpochs(8).withWarmupSteps(270).withPatience(3), redial);
    }

    @Test
    void settingsRoundTripAndBadFieldsAreNamed() {
        RecSettings s = RecSettings.forVariant("kbrd").withSeed(7);
        assertEquals(s, RecSettings.fromJson(s.toJson(), "x"));
        ObjectNode n = s.toJson();
        n.put("lambda", "big");
        assertEquals("c.json: field lambda: expected a number, got \"big\"", assertThrows(IllegalArgumentException.class, () -> RecSettings.fromJson(n, "c.json")).getMessage());
        ObjectNode extra = s.toJson();
        extra.put("dropout", 0.1);
        assertEquals("c.json: field dropout: unknown setting", assertThrows(IllegalArgumentException.class, () -> RecSettings.fromJson(extra, "c.json")).getMessage());
        ObjectNode causalKbrd = s.toJson();
        causalKbrd.put("causal", true);
        assertEquals("c.json: setting causal: the intervention of Eq. 5 is defined on the time-aware pooling only",
                assertThrows(IllegalArgumentException.class, () -> RecSettings.fromJson(causalKbrd, "c.json")).getMessage());
        ObjectNode missing = s.toJson();
        missing.remove("seed");
        assertEquals("c.json: field seed: missing", assertThrows(IllegalArgumentException.class, () -> RecSettings.fromJson(missing, "c.json")).getMessage());
        assertEquals("--variant: unknown variant big (use full, no-causal, kbrd)",
                assertThrows(IllegalArgumentException.class, () -> RecSettings.forVariant("big")).getMessage());
        assertTrue(new ObjectMapper().valueToTree(s).has("outputBias"));
    }
}
