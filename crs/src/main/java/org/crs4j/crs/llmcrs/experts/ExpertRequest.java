package org.crs4j.crs.llmcrs.experts;

import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.SubTaskCall;

/** One sub-task call on the dialogue so far (the "dialogue context" argument of Table 1). */
public record ExpertRequest(SubTaskCall call, Conversation context) {}
