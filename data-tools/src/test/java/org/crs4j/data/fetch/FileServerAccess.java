package org.crs4j.data.fetch;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/** Lets tests in other packages start the loopback {@link FileServer}. */
public final class FileServerAccess implements AutoCloseable {
    private final FileServer server;

    public FileServerAccess(Path root) throws IOException { server = new FileServer(root); }

    public URI base() { return server.base(); }

    @Override
    public void close() { server.close(); }
}
