package dev.jseek.store;

import dev.jseek.gguf.SplitName;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Turns what a user typed into a model file on this machine: the call {@code run}, {@code chat},
 * {@code serve} and {@code pull} share. A model already in the store is used as it is; a missing
 * one is downloaded, after saying what and how much, unless offline.
 */
public final class ModelResolver {

    private final ModelCatalog catalog;
    private final ModelStore store;
    private final HuggingFaceHub hub;
    private final DownloadOptions options;
    private final PullListener listener;

    public ModelResolver(ModelCatalog catalog, ModelStore store, HuggingFaceHub hub, DownloadOptions options, PullListener listener) {
        this.catalog = catalog;
        this.store = store;
        this.hub = hub;
        this.options = options;
        this.listener = listener;
    }

    /**
     * A resolver for the built-in names and the store and hub that {@code env} names:
     * {@code JSEEK_HOME}, {@code JSEEK_HF_ENDPOINT} (default https://huggingface.co), {@code HF_TOKEN}.
     */
    public static ModelResolver fromEnvironment(Map<String, String> env, PullListener listener) {
        String endpoint = env.get("JSEEK_HF_ENDPOINT");
        URI uri;
        try {
            uri = endpoint == null || endpoint.isBlank() ? HuggingFaceHub.DEFAULT_ENDPOINT : URI.create(endpoint.strip());
        } catch (IllegalArgumentException e) {
            throw new StoreException("JSEEK_HF_ENDPOINT is not a URL: '" + endpoint + "'");
        }
        return new ModelResolver(ModelCatalog.builtIn(), ModelStore.fromEnvironment(env), new HuggingFaceHub(uri, env.get("HF_TOKEN")),
                DownloadOptions.defaults(), listener);
    }

    public ModelStore store() {
        return store;
    }

    /**
     * The GGUF file to open for {@code reference} (for a split model its first part, which
     * {@link dev.jseek.gguf.GgufModelFiles} opens with the rest): a local file as it is, a model in
     * the store, or, unless {@code offline}, one downloaded now.
     */
    public Path resolve(String reference, boolean offline) throws IOException, InterruptedException {
        ModelReference ref = ModelReference.parse(reference, catalog);
        if (ref instanceof ModelReference.LocalFile(Path path)) {
            if (!Files.isRegularFile(path)) {
                throw new StoreException("no such file: " + path);
            }
            return path;
        }
        Optional<LocalModel> local = findLocal(ref);
        if (local.isPresent()) {
            return local.get().first();
        }
        String name = ref instanceof ModelReference.Alias a ? a.name() : reference;
        if (offline) {
            throw new StoreException(name + " is not in the store (" + store.root() + ") and offline mode forbids downloading it; "
                    + "pull it first with 'jseek pull " + name + "'");
        }
        List<RemoteFile> files = remoteFiles(ref);
        long toFetch = 0;
        for (RemoteFile f : files) {
            if (!Files.exists(store.modelPath(f.repo(), f.path()))) {
                toFetch += f.size() - store.bytesOnDisk(f);
            }
        }
        listener.pulling(name, files, toFetch);
        store.requireSpace(toFetch, name);
        Downloader downloader = new Downloader(hub, store, options, listener);
        for (RemoteFile f : files) {
            downloader.download(f);
        }
        return store.modelPath(files.getFirst().repo(), files.getFirst().path());
    }

    /** The model in the store that {@code reference} names, without touching the network. */
    public Optional<LocalModel> findLocal(String reference) throws IOException {
        return findLocal(ModelReference.parse(reference, catalog));
    }

    private Optional<LocalModel> findLocal(ModelReference ref) throws IOException {
        return switch (ref) {
            case ModelReference.Alias a -> findLocal(a.target());
            case ModelReference.RepoQuant q -> store.find(q.repo(), q.quant());
            case ModelReference.RepoFile f -> store.findFile(f.repo(), f.path());
            case ModelReference.LocalFile l -> store.models().stream()
                    .filter(m -> m.files().stream().anyMatch(p -> p.equals(l.path().toAbsolutePath().normalize()))).findFirst();
        };
    }

    /** The files to download for {@code ref}: one, or every part of a split model, first part first. */
    private List<RemoteFile> remoteFiles(ModelReference ref) {
        return switch (ref) {
            case ModelReference.Alias a -> remoteFiles(a.target());
            case ModelReference.RepoQuant q -> pickQuant(q.repo(), q.quant(), hub.listFiles(q.repo()));
            case ModelReference.RepoFile f -> {
                SplitName split = SplitName.parse(f.path().substring(f.path().lastIndexOf('/') + 1));
                if (split == null) {
                    yield List.of(hub.fileInfo(f.repo(), f.path()));
                }
                String dir = f.path().substring(0, f.path().lastIndexOf('/') + 1);
                List<RemoteFile> parts = new ArrayList<>();
                for (int n = 1; n <= split.count(); n++) {
                    parts.add(hub.fileInfo(f.repo(), dir + split.fileName(n)));
                }
                yield parts;
            }
            case ModelReference.LocalFile l -> throw new IllegalStateException("a local file is never downloaded");
        };
    }

    /**
     * The GGUF model of {@code repo} in {@code quant}, from the repository's file list: a single file,
     * or a split model all of whose parts are listed.
     */
    static List<RemoteFile> pickQuant(String repo, String quant, List<RemoteFile> listing) {
        // Models by folder and name stem: a split model's parts share one key.
        Map<String, List<RemoteFile>> models = new LinkedHashMap<>();
        TreeSet<String> quants = new TreeSet<>();
        for (RemoteFile f : listing) {
            String name = f.fileName();
            if (!name.toLowerCase().endsWith(".gguf") || name.startsWith("mmproj")) {
                continue; // mmproj files are vision projectors, not language models
            }
            String q = Quantization.of(name);
            if (q == null) {
                continue;
            }
            quants.add(q);
            if (q.equalsIgnoreCase(quant)) {
                SplitName split = SplitName.parse(name);
                String dir = f.path().substring(0, f.path().length() - name.length());
                models.computeIfAbsent(dir + (split == null ? name : split.fileName(1)), k -> new ArrayList<>()).add(f);
            }
        }
        if (models.isEmpty()) {
            throw new StoreException(repo + " has no " + quant + " GGUF file" + (quants.isEmpty() ? "" : "; it has " + String.join(", ", quants)));
        }
        if (models.size() > 1) {
            throw new StoreException(repo + " has several " + quant + " models (" + String.join(", ", models.keySet())
                    + "); name one with hf://" + repo + "/FILE.gguf");
        }
        List<RemoteFile> files = new ArrayList<>(models.values().iterator().next());
        SplitName split = SplitName.parse(files.getFirst().fileName());
        if (split != null) {
            files.sort(Comparator.comparingInt(f -> Objects.requireNonNull(SplitName.parse(f.fileName())).part()));
            if (files.size() != split.count()) {
                throw new StoreException(repo + " lists " + files.size() + " of the " + split.count() + " parts of " + split.prefix());
            }
        }
        return files;
    }
}
