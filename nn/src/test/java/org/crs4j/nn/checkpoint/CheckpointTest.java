package org.crs4j.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Dropout;
import org.crs4j.nn.Linear;
import org.crs4j.nn.Module;
import org.crs4j.nn.loss.Losses;
import org.crs4j.nn.optim.AdamW;
import org.crs4j.nn.optim.GradClip;
import org.crs4j.nn.optim.GradientAccumulation;
import org.crs4j.nn.optim.LrSchedule;
import org.crs4j.nn.optim.LrScheduler;
import org.crs4j.nn.optim.SGD;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.SafetensorsFile;
import org.crs4j.tensor.io.SafetensorsFormatException;
import org.crs4j.tensor.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    /** A classifier with dropout: its training consumes two random streams (dropout masks, data order). */
    static final class Net extends Module {
        final Linear fc1, fc2;
        final Dropout drop;

        Net(Generator init, Generator dropout) {
            fc1 = child("fc1", new Linear(4, 16, true, init));
            drop = child("drop", new Dropout(0.3, dropout));
            fc2 = child("fc2", new Linear(16, 3, true, init));
        }

        Variable forward(Variable x) {
            return fc2.forward(drop.forward(fc1.forward(x).relu()));
        }
    }

    /** Everything a run owns; "fresh" runs are built with different seeds, so only a checkpoint can align them. */
    static final class Run {
        final Generator dropoutRng, dataRng;
        final Net net;
        final AdamW opt;
        final LrScheduler sched;
        final GradientAccumulation acc = new GradientAccumulation(2);
        final Checkpoint ckpt;
        final Tensor x, y;

        Run(long seed) {
            dropoutRng = new Generator(seed + 1);
            dataRng = new Generator(seed + 2);
            net = new Net(new Generator(seed), dropoutRng);
            opt = new AdamW(net.namedParameters(), 0.05, 0.01);
            sched = new LrScheduler(opt, LrSchedule.cosineWithWarmup(3, 20));
            ckpt = new Checkpoint(net).optimizer(opt).scheduler(sched).accumulation(acc)
                    .generator("dropout", dropoutRng).generator("data", dataRng);
            Generator data = new Generator(123); // the data set itself is fixed
            x = Tensor.randn(data, 64, 4);
            y = x.narrow(1, 0, 1).add(x.narrow(1, 1, 1).mul(x.narrow(1, 2, 1))).gt(0).to(DType.I64).reshape(64)
                    .add(x.narrow(1, 3, 1).gt(1).to(DType.I64).reshape(64));
        }

        /** One micro-batch: a random batch of 8, forward with dropout, scaled backward, a step every 2. */
        void microStep() {
            Tensor idx = Tensor.randperm(dataRng, 64).narrow(0, 0, 8);
            Variable logits = net.forward(Variable.constant(x.indexSelect(0, idx)));
            acc.scale(Losses.crossEntropy(logits, y.indexSelect(0, idx))).backward();
            if (acc.microStepDone()) {
                GradClip.clipGradNorm(net.parameters(), 1.0);
                opt.step();
                sched.step();
                opt.zeroGrad();
            }
        }
    }

    private static Map<String, float[]> snapshot(Run r) {
        Map<String, float[]> m = new LinkedHashMap<>();
        r.net.stateDict().forEach((n, t) -> m.put("model." + n, t.toFloatArray()));
        r.opt.stateTensors().forEach((n, t) -> m.put("optimizer." + n, t.toFloatArray()));
        return m;
    }

    private static void assertBitIdentical(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k), y = b.get(k);
            assertEquals(x.length, y.length, k);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), k + "[" + i + "]: " + x[i] + " vs " + y[i]);
            }
        }
    }

    @Test
    void anInterruptedAndResumedRunIsBitIdenticalToAnUninterruptedOne() throws IOException {
        int total = 13;
        Run straight = new Run(1);
        for (int i = 0; i < total; i++) straight.microStep();
        // 6: at an optimizer-step boundary; 5: mid-accumulation, with one micro-batch's gradient pending
        for (int interruptAt : new int[] {6, 5}) {
            Run first = new Run(1);
            for (int i = 0; i < interruptAt; i++) first.microStep();
            Path file = dir.resolve("ckpt-" + interruptAt + ".safetensors");
            first.ckpt.save(file, interruptAt, Map.of("note", "test"));

            Run resumed = new Run(999); // different initialisation, generators and data order
            Checkpoint.Loaded loaded = resumed.ckpt.load(file);
            assertEquals(interruptAt, loaded.step());
            assertEquals(Map.of("note", "test"), loaded.extra());
            assertBitIdentical(snapshot(first), snapshot(resumed));
            assertEquals(first.opt.lr(), resumed.opt.lr());
            assertEquals(first.acc.pending(), resumed.acc.pending());
            for (int i = interruptAt; i < total; i++) resumed.microStep();
            assertBitIdentical(snapshot(straight), snapshot(resumed));
            assertEquals(straight.sched.steps(), resumed.sched.steps());
            assertEquals(straight.dataRng.position(), resumed.dataRng.position());
            assertEquals(straight.dropoutRng.position(), resumed.dropoutRng.position());
        }
        // and the comparison is not vacuous: without the checkpoint the runs differ
        Run other = new Run(999);
        for (int i = 0; i < total; i++) other.microStep();
        assertFalse(java.util.Arrays.equals(snapshot(straight).get("model.fc1.weight"), snapshot(other).get("model.fc1.weight")));
    }

    /** A model whose single parameter can be swapped for any tensor (to plant a failing one). */
    static final class Holder extends Module {
        Holder(int n) {
            parameter("a", Tensor.ones(n));
            parameter("z", Tensor.ones(n));
        }
    }

    @Test
    void aFailedSaveLeavesThePreviousCheckpointAndNoTemporaryFile() throws IOException {
        Holder model = new Holder(1000);
        Checkpoint ckpt = new Checkpoint(model);
        Path file = dir.resolve("last.safetensors");
        ckpt.save(file, 1);
        byte[] before = Files.readAllBytes(file);

        // Plant a parameter whose memory goes away during the save: a tensor of a file we then close. Writing
        // it throws after the header and "model.a" have gone to the temporary file.
        Path other = dir.resolve("weights.safetensors");
        SafetensorsWriter.write(other, Map.of("z", Tensor.full(2, DType.F32, 1000)));
        SafetensorsFile mapped = SafetensorsFile.open(other);
        model.loadStateDict(Map.of("a", Tensor.full(3, DType.F32, 1000), "z", mapped.tensor("z")), true);
        mapped.close();
        assertThrows(IllegalStateException.class, () -> ckpt.save(file, 2));

        assertArrayEquals(before, Files.readAllBytes(file), "the previous checkpoint is untouched");
        try (var files = Files.list(dir)) {
            assertEquals(List.of("last.safetensors", "weights.safetensors"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        Holder fresh = new Holder(1000);
        assertEquals(1, new Checkpoint(fresh).load(file).step());
        assertEquals(1.0, fresh.stateDict().get("z").get(0));
    }

    @Test
    void aProcessKilledWhileSavingLeavesALoadableCheckpoint() throws Exception {
        Path file = dir.resolve("killed.safetensors");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), SavingProcess.class.getName(), file.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        int saves = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            while (saves < 3 && (line = out.readLine()) != null) if (line.startsWith("saved")) saves++;
            p.destroyForcibly(); // SIGKILL while it writes the next one
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(3, saves, "the child process saved three checkpoints before being killed");
        SavingProcess.Big model = new SavingProcess.Big();
        long step = new Checkpoint(model).load(file).step();
        assertTrue(step >= 3, "step " + step);
        assertEquals((double) step, model.stateDict().get("w").get(0), "content matches its step: not a mix of two saves");
        assertEquals((double) step, model.stateDict().get("w").get(SavingProcess.SIZE - 1));
    }

    @Test
    void aTrainableOnlyCheckpointHoldsAndRestoresOnlyTheTrainedLayers() throws IOException {
        Net a = new Net(new Generator(5), new Generator(6));
        a.fc1.setTrainable(false); // a frozen pretrained layer
        AdamW opt = new AdamW(a.namedParameters(), 0.05, 0.01);
        a.forward(Variable.constant(Tensor.randn(new Generator(7), 8, 4))).square().sum().backward();
        opt.step();
        Path file = dir.resolve("partial.safetensors");
        new Checkpoint(a).trainableOnly().optimizer(opt).save(file, 1);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertTrue(f.contains("model.fc2.weight") && f.contains("optimizer.fc2.weight.exp_avg"));
            assertFalse(f.contains("model.fc1.weight"), "frozen weights stay in the model's own files");
        }
        Net b = new Net(new Generator(8), new Generator(9));
        float[] frozen = b.fc1.weight().data().toFloatArray();
        b.fc1.setTrainable(false);
        AdamW opt2 = new AdamW(b.namedParameters(), 0.05, 0.01);
        new Checkpoint(b).trainableOnly().optimizer(opt2).load(file);
        assertArrayEquals(a.fc2.weight().data().toFloatArray(), b.fc2.weight().data().toFloatArray());
        assertArrayEquals(frozen, b.fc1.weight().data().toFloatArray(), "frozen layers are left as they are");
        assertArrayEquals(opt.stateTensors().get("fc2.weight.exp_avg_sq").toFloatArray(), opt2.stateTensors().get("fc2.weight.exp_avg_sq").toFloatArray());
        // another set of trained layers, or a whole-model restore of a partial file: named, nothing changed
        Net c = new Net(new Generator(10), new Generator(11));
        float[] before = c.fc2.weight().data().toFloatArray();
        AdamW opt3 = new AdamW(c.namedParameters(), 0.05, 0.01);
        CheckpointException e = assertThrows(CheckpointException.class, () -> new Checkpoint(c).trainableOnly().optimizer(opt3).load(file));
        assertTrue(e.getMessage().contains("model.fc1.weight: missing (the model trains this parameter)"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> new Checkpoint(c).optimizer(opt3).load(file));
        assertTrue(e.getMessage().contains("trainable_only: the file holds only the trainable parameters"), e.getMessage());
        assertArrayEquals(before, c.fc2.weight().data().toFloatArray());
    }

    @Test
    void roundTripOfSgdMomentumStateAndGenerators() throws IOException {
        Generator init = new Generator(5);
        Linear a = new Linear(3, 2, true, init);
        SGD sgd = new SGD(a.namedParameters(), 0.1, 0.9, 0);
        a.forward(Variable.constant(Tensor.randn(init, 4, 3))).square().sum().backward();
        sgd.step();
        Generator g = new Generator(77);
        Tensor.rand(g, 10);
        Path file = dir.resolve("sgd.safetensors");
        new Checkpoint(a).optimizer(sgd).generator("g", g).save(file, 1);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertTrue(f.contains("model.weight") && f.contains("optimizer.weight.momentum_buffer") && f.contains("optimizer.bias.momentum_buffer"));
        }
        Linear b = new Linear(3, 2, true, new Generator(6));
        SGD sgd2 = new SGD(b.namedParameters(), 0.5, 0.9, 0);
        Generator g2 = new Generator(1);
        new Checkpoint(b).optimizer(sgd2).generator("g", g2).load(file);
        assertArrayEquals(a.weight().data().toFloatArray(), b.weight().data().toFloatArray());
        assertArrayEquals(sgd.stateTensors().get("weight.momentum_buffer").toFloatArray(), sgd2.stateTensors().get("weight.momentum_buffer").toFloatArray());
        assertEquals(0.1, sgd2.lr());
        assertEquals(g.seed(), g2.seed());
        assertEquals(g.position(), g2.position());
    }

    @Test
    void corruptAndMismatchedCheckpointsAreNamedAndChangeNothing() throws IOException {
        Run run = new Run(3);
        for (int i = 0; i < 4; i++) run.microStep();
        Path good = dir.resolve("good.safetensors");
        run.ckpt.save(good, 4);

        Run target = new Run(8);
        Map<String, float[]> before = snapshot(target);
        long positionBefore = target.dataRng.position();

        // truncated file: the safetensors reader names the file
        Path truncated = dir.resolve("truncated.safetensors");
        byte[] bytes = Files.readAllBytes(good);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        var fmt = assertThrows(SafetensorsFormatException.class, () -> target.ckpt.load(truncated));
        assertTrue(fmt.getMessage().contains("truncated.safetensors"), fmt.getMessage());

        // a plain weights file is not a checkpoint
        Path plain = dir.resolve("plain.safetensors");
        SafetensorsWriter.write(plain, Map.of("model.fc1.weight", Tensor.zeros(16, 4)));
        expect(target, plain, "__metadata__.crs4j.checkpoint", "missing");

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta;
        try (SafetensorsFile f = SafetensorsFile.open(good)) {
            for (var info : f.tensors()) tensors.put(info.name(), f.tensor(info.name()).copy());
            meta = new LinkedHashMap<>(f.metadata());
        }
        String json = meta.get(Checkpoint.METADATA_KEY);

        expectWith(target, tensors, Map.of(Checkpoint.METADATA_KEY, "{\"version\": 1, \"step\": "), "__metadata__.crs4j.checkpoint", "invalid JSON");
        expectWith(target, tensors, Map.of(Checkpoint.METADATA_KEY, json.replace("\"step\":4", "\"step\":\"four\"")), "step", "not an integer");
        expectWith(target, tensors, Map.of(Checkpoint.METADATA_KEY, json.replace("\"version\":1", "\"version\":7")), "version", "format version 7");
        expectWith(target, tensors, Map.of(Checkpoint.METADATA_KEY, json.replace("\"AdamW\"", "\"SGD\"")), "optimizer.type", "saved by SGD");
        expectWith(target, tensors, Map.of(Checkpoint.METADATA_KEY, json.replace("\"dropout\"", "\"masks\"")), "generators.dropout", "missing");
        expectWith(target, tensors, Map.of(Checkpoint.METADATA_KEY, json.replace("\"generators\":{", "\"generators\":{\"extra\":{\"seed\":1,\"position\":0},")),
                "generators.extra", "no such generator");

        Map<String, Tensor> wrongShape = new LinkedHashMap<>(tensors);
        wrongShape.put("model.fc2.weight", Tensor.zeros(4, 16));
        expectWith(target, wrongShape, meta, "model.fc2.weight", "[4, 16]");
        Map<String, Tensor> missing = new LinkedHashMap<>(tensors);
        missing.remove("model.fc1.bias");
        expectWith(target, missing, meta, "model.fc1.bias", "missing");
        Map<String, Tensor> extra = new LinkedHashMap<>(tensors);
        extra.put("model.fc3.weight", Tensor.zeros(2));
        expectWith(target, extra, meta, "model.fc3.weight", "unexpected");
        Map<String, Tensor> noMoment = new LinkedHashMap<>(tensors);
        noMoment.remove("optimizer.fc2.bias.exp_avg_sq");
        expectWith(target, noMoment, meta, "optimizer", "fc2.bias.exp_avg_sq");
        Map<String, Tensor> badMoment = new LinkedHashMap<>(tensors);
        badMoment.put("optimizer.fc2.bias.exp_avg", Tensor.zeros(5));
        expectWith(target, badMoment, meta, "optimizer", "fc2.bias.exp_avg");

        assertBitIdentical(before, snapshot(target));
        assertEquals(positionBefore, target.dataRng.position(), "nothing was restored from a bad checkpoint");
        target.ckpt.load(good); // and the good one still loads into the same objects
        assertBitIdentical(snapshot(run), snapshot(target));
    }

    private void expectWith(Run target, Map<String, Tensor> tensors, Map<String, String> meta, String entry, String problem) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        SafetensorsWriter.write(f, tensors, meta);
        expect(target, f, entry, problem);
    }

    private static void expect(Run target, Path file, String entry, String problem) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> target.ckpt.load(file));
        assertEquals(file, e.file());
        assertEquals(entry, e.entry(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(problem), e.getMessage());
    }
}
