package org.crs4j.nn.checkpoint;

import java.nio.file.Path;
import org.crs4j.nn.Module;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/** A child process for CheckpointTest: saves checkpoints of step 1, 2, 3, ... to one file until it is killed. */
public final class SavingProcess {
    static final int SIZE = 4 << 20; // 16 MB of F32: each save takes long enough to be killed in the middle of one

    static final class Big extends Module {
        Big() {
            parameter("w", Tensor.zeros(SIZE));
        }
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Big model = new Big();
        Checkpoint ckpt = new Checkpoint(model);
        for (long step = 1; ; step++) {
            model.loadStateDict(java.util.Map.of("w", Tensor.full(step, DType.F32, SIZE)), true);
            ckpt.save(file, step);
            System.out.println("saved " + step);
            System.out.flush();
        }
    }
}
