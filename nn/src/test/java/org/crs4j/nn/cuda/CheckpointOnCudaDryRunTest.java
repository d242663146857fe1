package org.crs4j.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Linear;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.checkpoint.Checkpoint;
import org.crs4j.nn.optim.Adam;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cuda.GpuLessCuda;
import org.crs4j.tensor.io.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run on a GPU saves its checkpoint and resumes there: {@code save} downloads each device tensor exactly,
 * {@code load} puts parameters and optimizer moments back on the device of the parameters they belong to (loading them
 * onto the CPU would move the model off the GPU, and an Adam update on the GPU would then write into an uploaded copy
 * of a CPU moment and lose it). Dry-run over a GPU-less CUDA backend: transfers are real, kernels are not run.
 */
class CheckpointOnCudaDryRunTest {
    @TempDir Path dir;

    @Test
    void aCheckpointSavedFromTheDeviceLoadsBackOntoIt() throws Exception {
        Generator rng = new Generator(7);
        Linear model = new Linear(12, 5, true, rng);
        Map<String, float[]> initial = new java.util.LinkedHashMap<>();
        model.namedParameters().forEach((n, p) -> initial.put(n, p.data().toFloatArray()));
        Path file = dir.resolve("ckpt.safetensors");
        try (GpuLessCuda cuda = new GpuLessCuda(23)) {
            Device device = cuda.device;
            model.to(device);
            Adam adam = new Adam(model.namedParameters(), 1e-2);
            Tensor x = Tensor.randn(rng, 3, 12).toDevice(device);
            model.forward(Variable.constant(x)).sum().backward();
            adam.step();
            new Checkpoint(model).optimizer(adam).save(file, 1);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                // the kernels did not run, so the parameters still hold their uploaded values: the download is exact
                initial.forEach((n, v) -> assertArrayEquals(v, f.tensor("model." + n).toFloatArray(), n));
                assertEquals(4, f.tensors().stream().filter(t -> t.name().startsWith("optimizer.")).count());
            }

            Linear resumed = new Linear(12, 5, true, new Generator(99));
            resumed.to(device);
            Adam resumedAdam = new Adam(resumed.namedParameters(), 1e-2);
            new Checkpoint(resumed).optimizer(resumedAdam).load(file);
            for (Map.Entry<String, Parameter> e : resumed.namedParameters().entrySet()) {
                assertEquals(device, e.getValue().data().device(), e.getKey() + " stays on the device after loading");
                assertArrayEquals(initial.get(e.getKey()), e.getValue().data().toFloatArray(), e.getKey());
            }
            resumedAdam.stateTensors().forEach((n, t) -> assertEquals(device, t.device(), n + " is loaded onto the parameter's device"));
            assertEquals(4, resumedAdam.stateTensors().size());
        }
    }
}
