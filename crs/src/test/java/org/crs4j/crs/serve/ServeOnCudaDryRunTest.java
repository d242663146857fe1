package org.crs4j.crs.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.crs4j.crs.controller.TinyT5;
import org.crs4j.models.t5.T5;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.cuda.GpuLessCuda;
import org.junit.jupiter.api.Test;

/**
 * A served model moved to CUDA at load ({@code crs4j serve --device cuda} does {@code module.to(device)} before the
 * engine starts), dry-run over a GPU-less CUDA backend ({@link GpuLessCuda}: host-side work for real, kernels recorded
 * and checked against their PTX signatures, not run): requests arriving over HTTP are decoded by the batch engine's own
 * thread on the device, with the weights left there. The text is meaningless (the kernels did not run); the status,
 * the usage counts and where the work ran are not.
 */
class ServeOnCudaDryRunTest {

    @Test
    void requestsAreDecodedOnTheDeviceByTheEngineThread() throws Exception {
        T5 lm = TinyT5.inMemory(64, 128, 2, 5);
        long parameterBytes = lm.module().parameters().stream().mapToLong(p -> p.numel() * 4L).sum();
        try (GpuLessCuda cuda = new GpuLessCuda(51)) {
            lm.module().to(cuda.device);
            long before = cuda.backend.uploads()[1];
            try (TestServer server = new TestServer(ServeLimits.defaults(), null,
                    List.of(new ServedModel("t5", lm, ChatFormat.bundled("plain"), ServeLimits.defaults())))) {
                HttpResponse<String> r = server.post("/v1/completions",
                        "{\"model\": \"t5\", \"prompt\": \"abc\", \"max_tokens\": 4, \"temperature\": 0}");
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(lm.encodePrompt("abc").length, TestServer.json(r).get("usage").get("prompt_tokens").asInt(), r.body());
                HttpResponse<String> chat = server.post("/v1/chat/completions", "{\"model\": \"t5\", \"messages\": [{\"role\": \"user\","
                        + " \"content\": \"de\"}], \"max_tokens\": 3, \"temperature\": 0.7, \"seed\": 3}");
                assertEquals(200, chat.statusCode(), chat.body());
            }
            long uploaded = cuda.backend.uploads()[1] - before;
            assertTrue(uploaded < parameterBytes / 4, uploaded + " bytes uploaded for two requests; the weights are " + parameterBytes);
            for (Parameter p : lm.module().parameters()) assertEquals(cuda.device, p.data().device(), "the weights stay on the device");
            Set<String> kernels = new HashSet<>();
            synchronized (cuda.driver) { // launches were recorded by the engine's thread, under this lock
                cuda.driver.launches.forEach(l -> kernels.add(l.kernel()));
            }
            for (String k : new String[] {"matvec_rows", "attention_decode", "attention_forward_32", "norm_f32"}) {
                assertTrue(kernels.contains(k), k + " among " + kernels);
            }
        }
    }
}
