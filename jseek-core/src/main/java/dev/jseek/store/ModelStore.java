package dev.jseek.store;

import dev.jseek.gguf.SplitName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local model store ({@code $JSEEK_HOME}, else {@code ~/.cache/jseek}). Complete, verified
 * files live under {@code models/OWNER/REPO/PATH}, as in their repository; downloads in progress
 * under {@code downloads/} (so {@code models/} holds nothing half-written); one lock file per
 * model file under {@code locks/}.
 */
public final class ModelStore {

    private final Path root;
    private final Path models;
    private final Path downloads;
    private final Path locks;

    public ModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.models = this.root.resolve("models");
        this.downloads = this.root.resolve("downloads");
        this.locks = this.root.resolve("locks");
    }

    /** The store named by {@code JSEEK_HOME} in {@code env}, else {@code ~/.cache/jseek}. */
    public static ModelStore fromEnvironment(Map<String, String> env) {
        String home = env.get("JSEEK_HOME");
        return new ModelStore(home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".cache", "jseek"));
    }

    public Path root() {
        return root;
    }

    /** Where {@code path} of {@code repo} lives once downloaded. */
    public Path modelPath(String repo, String path) {
        return inside(models, repo, path, "");
    }

    /** The download files of {@code path} of {@code repo}: {@code .partial} data, {@code .progress}. */
    Path downloadPath(String repo, String path, String suffix) {
        return inside(downloads, repo, path, suffix);
    }

    /** The lock taken to download or delete {@code path} of {@code repo}; lock files are never deleted. */
    Path lockPath(String repo, String path) throws IOException {
        Files.createDirectories(locks);
        return locks.resolve(sha256Hex(repo + "/" + path).substring(0, 32) + ".lock");
    }

    /** Repository paths come from the network: they must stay inside the store. */
    private static Path inside(Path dir, String repo, String path, String suffix) {
        Path p = dir.resolve(repo).resolve(path + suffix).normalize();
        if (!ModelReference.REPO.matcher(repo).matches() || !p.startsWith(dir.resolve(repo)) || path.contains("..")) {
            throw new StoreException("refusing to store '" + repo + "/" + path + "': not a plain repository path");
        }
        return p;
    }

    /** Every complete model in the store, by repository and path. */
    public List<LocalModel> models() throws IOException {
        if (!Files.isDirectory(models)) {
            return List.of();
        }
        List<LocalModel> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(models)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".gguf") && Files.isRegularFile(f)).sorted().toList()) {
                Path rel = models.relativize(p);
                if (rel.getNameCount() < 3) {
                    continue; // not OWNER/REPO/FILE: put here by hand
                }
                String repo = rel.getName(0) + "/" + rel.getName(1);
                String path = rel.subpath(2, rel.getNameCount()).toString().replace('\\', '/');
                List<Path> parts = parts(p);
                if (parts != null) {
                    long size = 0;
                    for (Path part : parts) {
                        size += Files.size(part);
                    }
                    found.add(new LocalModel(repo, path, parts, size, Quantization.of(p.getFileName().toString())));
                }
            }
        }
        return found;
    }

    /** The files of the model whose (first) file is {@code p}; null when {@code p} is a later part or parts are missing. */
    private static List<Path> parts(Path p) {
        SplitName split = SplitName.parse(p.getFileName().toString());
        if (split == null) {
            return List.of(p);
        }
        if (split.part() != 1) {
            return null;
        }
        List<Path> parts = new ArrayList<>();
        for (int n = 1; n <= split.count(); n++) {
            Path part = p.resolveSibling(split.fileName(n));
            if (!Files.isRegularFile(part)) {
                return null;
            }
            parts.add(part);
        }
        return parts;
    }

    /** The complete model of {@code repo} in {@code quant}, if pulled. */
    public Optional<LocalModel> find(String repo, String quant) throws IOException {
        return models().stream().filter(m -> m.repo().equalsIgnoreCase(repo) && quant.equalsIgnoreCase(m.quant())).findFirst();
    }

    /** The complete model whose (first) file is {@code path} of {@code repo}, if pulled. */
    public Optional<LocalModel> findFile(String repo, String path) throws IOException {
        return models().stream().filter(m -> m.repo().equalsIgnoreCase(repo) && m.path().equals(path)).findFirst();
    }

    /** Bytes of {@code file} already downloaded by an interrupted pull. */
    long bytesOnDisk(RemoteFile file) {
        return PartialDownload.bytesOnDisk(downloadPath(file.repo(), file.path(), ".partial"),
                downloadPath(file.repo(), file.path(), ".progress"), file);
    }

    /** Fails before a download starts when the disk holding the store has less than {@code bytes} free. */
    void requireSpace(long bytes, String what) throws IOException {
        Files.createDirectories(root);
        long free = Files.getFileStore(root).getUsableSpace();
        if (bytes > free) {
            throw new StoreException("not enough disk space for " + what + " in " + root + ": it needs " + ByteSize.format(bytes)
                    + ", " + ByteSize.format(free) + " are free; free some space or point JSEEK_HOME at a larger disk");
        }
    }

    /**
     * Deletes {@code model}'s files and any download of them left unfinished, under each file's
     * lock; fails without deleting a file another process is pulling.
     */
    public void remove(LocalModel model) throws IOException {
        for (Path file : model.files()) {
            String path = models.resolve(model.repo()).relativize(file).toString().replace('\\', '/');
            try (StoreLock lock = StoreLock.tryAcquire(lockPath(model.repo(), path))) {
                if (lock == null) {
                    throw new StoreException(model.repo() + "/" + path + " is being pulled by another jseek; remove it when that has finished");
                }
                Files.deleteIfExists(file);
                Files.deleteIfExists(downloadPath(model.repo(), path, ".partial"));
                Files.deleteIfExists(downloadPath(model.repo(), path, ".progress"));
            }
            deleteEmptyFolders(file.getParent(), models);
            deleteEmptyFolders(downloadPath(model.repo(), path, "").getParent(), downloads);
        }
    }

    /** Deletes {@code dir} and its parents up to (not including) {@code top} while they are empty. */
    static void deleteEmptyFolders(Path dir, Path top) throws IOException {
        for (Path d = dir; d.startsWith(top) && !d.equals(top); d = d.getParent()) {
            try {
                Files.deleteIfExists(d);
            } catch (DirectoryNotEmptyException e) {
                return;
            }
        }
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
