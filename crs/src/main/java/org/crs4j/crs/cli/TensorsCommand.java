package org.crs4j.crs.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `crs4j tensors FILE...`: lists the tensors of safetensors files or sharded indexes. */
@Command(name = "tensors", description = "List the tensors (name, dtype, shape, bytes) and metadata of safetensors files "
        + "or a sharded model.safetensors.index.json.")
final class TensorsCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "*.safetensors files or model.safetensors.index.json")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
        throw new UnsupportedOperationException("not built yet");
    }
}
