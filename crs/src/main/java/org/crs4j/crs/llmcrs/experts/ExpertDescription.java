package org.crs4j.crs.llmcrs.experts;

/**
 * An expert's description as seed 000 §3.2 lists what developers provide: function, architecture, domain (languages
 * included), licence. Model matching shows it to the LLM next to the expert's id.
 */
public record ExpertDescription(String function, String architecture, String domain, String licence) {
    /** One line: "function; architecture: ...; domain: ...; licence: ...". */
    public String render() {
        return function + "; architecture: " + architecture + "; domain: " + domain + "; licence: " + licence;
    }
}
