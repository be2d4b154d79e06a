package dev.jseek.store;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** A second process pulling a model, for the test that two processes share one download. Args: endpoint, store, name. */
public final class PullInAnotherProcess {

    public static void main(String[] args) throws Exception {
        ModelResolver resolver = new ModelResolver(ModelCatalog.builtIn(), new ModelStore(Path.of(args[1])),
                new HuggingFaceHub(URI.create(args[0]), null),
                new DownloadOptions(4, Long.MAX_VALUE, Duration.ofSeconds(5), 3, Duration.ofMillis(10)), PullListener.SILENT);
        System.out.println(resolver.resolve(args[2], false));
    }
}
