package io.sparkdiffusion.jobs.prepare;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.hadoop.fs.Path;

/**
 * Where a file of an image tree sits relative to the corpus root, and so its class: the first folder under
 * the root ({@code root/<class>/.../<image>}, as PyTorch's ImageFolder), whatever lies deeper.
 */
public final class ClassFolders implements Serializable {
    private final String rootPath;
    private final String rootPrefix;

    /** @param root the qualified corpus root */
    public ClassFolders(Path root) {
        String p = root.toUri().getPath();
        this.rootPath = p.endsWith("/") ? p : p + "/";
        String r = root.toString();
        this.rootPrefix = r.endsWith("/") ? r : r + "/";
    }

    /** The class folder name of a file (a path or URI as Spark lists it), or empty for a file directly under the root. */
    public Optional<String> classOf(String file) {
        // Spark lists a file as the qualified root plus the rest: no need to parse the URI (costly per file).
        String relative;
        if (file.startsWith(rootPrefix)) {
            relative = file.substring(rootPrefix.length());
        } else {
            String path = new Path(file).toUri().getPath();
            if (!path.startsWith(rootPath)) {
                return Optional.empty();
            }
            relative = path.substring(rootPath.length());
        }
        int slash = relative.indexOf('/');
        return slash <= 0 ? Optional.empty() : Optional.of(relative.substring(0, slash));
    }

    /** The label of a file given the sorted class names, or −1 when it is in no class folder. */
    public int labelOf(String file, Map<String, Integer> labels) {
        return classOf(file).map(name -> labels.getOrDefault(name, -1)).orElse(-1);
    }

    static Map<String, Integer> indexOf(List<String> sortedNames) {
        java.util.HashMap<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < sortedNames.size(); i++) {
            index.put(sortedNames.get(i), i);
        }
        return index;
    }
}
