package dev.jseek.store;

/**
 * One file of a Hugging Face repository: its path in the repository, its size and, for files kept
 * in LFS (every GGUF), the sha256 of its content; null when the hub states none.
 */
public record RemoteFile(String repo, String path, long size, String sha256) {

    /** The reference that names exactly this file. */
    public String reference() {
        return "hf://" + repo + "/" + path;
    }

    /** The last segment of the path. */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
