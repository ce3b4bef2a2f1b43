package org.asyncprimer.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the server process costs, read from outside: RSS, threads and CPU time from {@code /proc}, and the live
 * heap after a full GC from {@code jcmd PID GC.class_histogram} (which runs that GC, pausing the server: take it
 * only in runs whose lateness you do not report).
 */
final class ServerProbe {

    /** A class histogram: total live bytes, the application's own share, and bytes per class. */
    record Heap(long totalBytes, long appBytes, Map<String, Long> bytesByClass) {
    }

    private final long pid;

    ServerProbe(long pid) {
        this.pid = pid;
    }

    long rssBytes() throws IOException {
        return statusField("VmRSS:") * 1024;
    }

    long threads() throws IOException {
        return statusField("Threads:");
    }

    /** How many of the process's threads have each name ({@code /proc/PID/task/TID/comm}: 15 characters at most). */
    Map<String, Long> threadNames() throws IOException {
        Map<String, Long> names = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    names.merge(Files.readString(task.resolve("comm")).trim(), 1L, Long::sum);
                } catch (NoSuchFileException ended) {
                    // the thread ended while we listed them
                }
            }
        }
        return names;
    }

    /** User plus system CPU seconds since the process started. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 14 and 15 of stat(5) are utime and stime in clock ticks; index 0 here is field 3.
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    private long statusField(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(name + " not in /proc/" + pid + "/status");
    }

    Heap liveHeap() throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(jcmd(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(120, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IOException("jcmd failed: " + out);
        }
        long total = -1;
        long app = 0;
        Map<String, Long> byClass = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[0].equals("Total")) {
                total = Long.parseLong(f[2]);
            } else if (f.length >= 4 && f[0].endsWith(":")) {
                long bytes = Long.parseLong(f[2]);
                byClass.merge(f[3], bytes, Long::sum);
                if (f[3].startsWith("org.asyncprimer.")) {
                    app += bytes;
                }
            }
        }
        if (total < 0) {
            throw new IOException("no Total line in the class histogram: " + out);
        }
        return new Heap(total, app, byClass);
    }

    /** The jcmd of the server's own JDK, else the one on the PATH. */
    private String jcmd() {
        try {
            Path exe = Path.of("/proc", Long.toString(pid), "exe").toRealPath();
            Path own = exe.getParent().resolve("jcmd");
            if (Files.isExecutable(own)) {
                return own.toString();
            }
        } catch (IOException e) {
            // fall back to the PATH
        }
        return "jcmd";
    }

    /** The classes whose live bytes grew most between two histograms, for "what does a connection cost". */
    static List<Map.Entry<String, Long>> topGrowth(Heap before, Heap after, int limit) {
        List<Map.Entry<String, Long>> growth = new ArrayList<>();
        after.bytesByClass().forEach((name, bytes) ->
                growth.add(Map.entry(name, bytes - before.bytesByClass().getOrDefault(name, 0L))));
        growth.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        return growth.subList(0, Math.min(limit, growth.size()));
    }
}
