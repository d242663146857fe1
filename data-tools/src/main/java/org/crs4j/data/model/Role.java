package org.crs4j.data.model;

/** Who speaks a turn. OpenDialKG's user/assistant and TG-ReDial's Seeker/Recommender map onto these two. */
public enum Role {
    SEEKER, RECOMMENDER;

    public static Role parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "seeker", "user", "initiator" -> SEEKER;
            case "recommender", "assistant", "system", "respondent" -> RECOMMENDER;
            default -> throw new IllegalArgumentException("unknown role \"" + s + "\" (expected Seeker or Recommender)");
        };
    }
}
