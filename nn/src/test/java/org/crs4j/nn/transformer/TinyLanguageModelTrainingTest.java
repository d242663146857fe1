package org.crs4j.nn.transformer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Embedding;
import org.crs4j.nn.Module;
import org.crs4j.nn.ModuleList;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.RMSNorm;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A small LLaMA-style character language model (2 blocks, dim 64, GQA, RoPE, SwiGLU, tied head) trained on real
 * conversational utterances: ReDial's test split from ../shared/data (or, without it, a generated corpus). It must
 * beat the unigram model of the same text clearly on held-out utterances: mean cross-entropy below 1.6 nats per
 * character (the unigram entropy of English chat text is about 3 nats).
 *
 * <p>Run with {@code ./mvnw verify -Pslow -pl nn -am -Dtest=TinyLanguageModelTrainingTest}.
 */
@Tag("slow")
class TinyLanguageModelTrainingTest {
    static final double THRESHOLD = 1.6;

    static final class CharLM extends Module {
        final Embedding embed;
        final ModuleList<LlamaDecoderLayer> layers;
        final RMSNorm norm;
        final RotaryEmbedding rope;

        CharLM(int vocab, int dim, int nLayers, Generator rng) {
            embed = child("embed_tokens", new Embedding(vocab, dim, rng));
            embed.weight().set(embed.weight().data().mul(0.1)); // small tied embeddings keep early logits calm
            layers = child("layers", new ModuleList<>());
            for (int i = 0; i < nLayers; i++) layers.add(new LlamaDecoderLayer(dim, 4, 2, dim / 4, 172, 1e-5, false, false, rng));
            norm = child("norm", new RMSNorm(dim, 1e-5));
            rope = new RotaryEmbedding(dim / 4, 10000, null, RotaryEmbedding.Pairing.HALF);
        }

        /** Mean cross-entropy of predicting ids[:, t+1] from ids[:, <=t]. */
        Variable loss(Tensor ids) {
            int b = ids.size(0), t = ids.size(1) - 1;
            Tensor in = ids.narrow(1, 0, t), target = ids.narrow(1, 1, t).contiguous();
            Variable mask = Variable.constant(AttentionMasks.additive(AttentionMasks.causal(t, t, 0)));
            RotaryEmbedding.Angles angles = rope.angles(b, 0, t);
            Variable h = embed.forward(in);
            for (LlamaDecoderLayer l : layers) h = l.forward(h, mask, angles, null);
            Variable logits = norm.forward(h).matmul(embed.weight().get().mT());
            return logits.logSoftmax(-1).gather(-1, target.unsqueeze(-1)).mean().neg();
        }
    }

    private static List<String> corpus() throws Exception {
        String shared = System.getProperty("crs4j.shared");
        Path redial = shared == null ? null : Path.of(shared, "data", "redial", "raw", "test_data.jsonl.gz");
        List<String> lines = new ArrayList<>();
        if (redial != null && Files.isRegularFile(redial)) {
            ObjectMapper json = new ObjectMapper();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(redial)),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null && lines.size() < 12000; ) {
                    for (JsonNode m : json.readTree(line).get("messages")) {
                        String text = m.get("text").asText().replaceAll("@\\d+", "a movie").strip();
                        if (text.length() >= 8 && text.chars().allMatch(c -> c < 128)) lines.add(text.toLowerCase());
                    }
                }
            }
            System.out.println("corpus: " + lines.size() + " ReDial utterances from " + redial);
        } else {
            SplittableRandom g = new SplittableRandom(1);
            String[] subj = {"i", "you", "my friend", "we"}, verb = {"like", "loved", "watched", "recommend"},
                    obj = {"comedies", "that movie", "horror films", "old westerns", "anything with tom hanks"};
            for (int i = 0; i < 8000; i++) {
                lines.add(subj[g.nextInt(subj.length)] + " " + verb[g.nextInt(verb.length)] + " " + obj[g.nextInt(obj.length)]
                        + (g.nextBoolean() ? "!" : "."));
            }
            System.out.println("corpus: generated (no shared ReDial data under crs4j.shared=" + shared + ")");
        }
        return lines;
    }

    @Test
    void lossFallsBelowTheThreshold() throws Exception {
        List<String> lines = corpus();
        int heldOut = lines.size() / 10;
        String train = String.join("\n", lines.subList(heldOut, lines.size())) + "\n";
        String valid = String.join("\n", lines.subList(0, heldOut)) + "\n";
        TreeSet<Character> chars = new TreeSet<>();
        for (char c : (train + valid).toCharArray()) chars.add(c);
        List<Character> vocab = new ArrayList<>(chars);
        int[] tr = encode(train, vocab), va = encode(valid, vocab);
        double unigram = unigramEntropy(tr, va, vocab.size());

        Generator rng = new Generator(7);
        CharLM model = new CharLM(vocab.size(), 64, 2, rng);
        List<Parameter> params = model.trainableParameters();
        Tensor[] m = new Tensor[params.size()], v = new Tensor[params.size()];
        SplittableRandom pick = new SplittableRandom(3);
        int batch = 16, seq = 64, steps = 600;
        double lr = 3e-3;
        double first = 0, last = 0;
        long t0 = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            Tensor ids = batchOf(tr, batch, seq + 1, pick);
            model.zeroGrad();
            Variable loss = model.loss(ids);
            loss.backward();
            adamW(params, m, v, step, lr * Math.min(1, step / 50.0), 0.01);
            if (step == 1) first = loss.item();
            if (step % 100 == 0) {
                last = loss.item();
                System.out.printf("step %d: training loss %.3f%n", step, last);
            }
        }
        double heldOutLoss;
        try (var off = GradMode.off()) {
            double sum = 0;
            int n = 0;
            SplittableRandom evalPick = new SplittableRandom(9);
            for (int i = 0; i < 8; i++) {
                sum += model.loss(batchOf(va, batch, seq + 1, evalPick)).item();
                n++;
            }
            heldOutLoss = sum / n;
        }
        System.out.printf("vocab %d chars, %d training steps in %.1f s: loss %.3f -> %.3f, held-out %.3f nats/char"
                        + " (unigram entropy %.3f; threshold %.1f)%n", vocab.size(), steps, (System.nanoTime() - t0) / 1e9,
                first, last, heldOutLoss, unigram, THRESHOLD);
        assertTrue(heldOutLoss < THRESHOLD, "held-out loss " + heldOutLoss + " is not below " + THRESHOLD);
        assertTrue(heldOutLoss < unigram - 0.7, "no better than a unigram model: " + heldOutLoss + " vs " + unigram);
    }

    private static int[] encode(String s, List<Character> vocab) {
        int[] ids = new int[s.length()];
        for (int i = 0; i < ids.length; i++) ids[i] = vocab.indexOf(s.charAt(i));
        return ids;
    }

    private static double unigramEntropy(int[] train, int[] valid, int v) {
        double[] p = new double[v];
        for (int id : train) p[id]++;
        double h = 0;
        for (int id : valid) h -= Math.log((p[id] + 1) / (train.length + v));
        return h / valid.length;
    }

    private static Tensor batchOf(int[] text, int batch, int len, SplittableRandom rng) {
        long[] ids = new long[batch * len];
        for (int b = 0; b < batch; b++) {
            int start = rng.nextInt(text.length - len);
            for (int j = 0; j < len; j++) ids[b * len + j] = text[start + j];
        }
        return Tensor.of(ids, batch, len);
    }

    /** AdamW as torch.optim.AdamW (betas 0.9/0.999, eps 1e-8); the nn module's optimizers are not needed here. */
    private static void adamW(List<Parameter> params, Tensor[] m, Tensor[] v, int step, double lr, double wd) {
        double c1 = 1 - Math.pow(0.9, step), c2 = 1 - Math.pow(0.999, step);
        try (var off = GradMode.off()) {
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                Tensor g = p.grad();
                if (g == null) continue;
                if (m[i] == null) {
                    m[i] = Tensor.zeros(DType.F32, p.shape());
                    v[i] = Tensor.zeros(DType.F32, p.shape());
                }
                m[i] = m[i].mul(0.9).add(g.mul(0.1));
                v[i] = v[i].mul(0.999).add(g.square().mul(0.001));
                Tensor update = m[i].div(c1).div(v[i].div(c2).sqrt().add(1e-8)).mul(lr);
                p.set(p.data().mul(1 - lr * wd).sub(update));
            }
        }
    }
}
