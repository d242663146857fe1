package org.crs4j.crs.llmcrs;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Set;
import org.junit.jupiter.api.Test;

class AblationTest {
    @Test
    void parsesThePapersLabelsLoosely() {
        assertEquals(Set.of(Ablation.NO_SCHEMA, Ablation.NO_SUMMARY), Ablation.parse("w/o-SI, wo_sg"));
        assertEquals(Set.of(Ablation.NO_MANAGEMENT, Ablation.NO_DEMONSTRATIONS), Ablation.parse("M,DI"));
        assertEquals(Set.of(), Ablation.parse("none"));
        var e = assertThrows(IllegalArgumentException.class, () -> Ablation.parse("w/o-XY"));
        assertEquals("--ablate: unknown mechanism \"w/o-XY\" (use w/o-SI, w/o-DI, w/o-SG, w/o-M or w/o-E)", e.getMessage());
    }
}
