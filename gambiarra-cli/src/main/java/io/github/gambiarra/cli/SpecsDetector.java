package io.github.gambiarra.cli;

import io.github.gambiarra.protocol.MachineSpecs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What this machine has, for other people in the room to see: CPU, RAM, and GPU with its
 * memory where a tool tells (nvidia-smi, lspci, macOS system_profiler). Anything it cannot
 * find is left out.
 */
final class SpecsDetector {

    MachineSpecs detect() {
        String[] gpu = gpu();
        return new MachineSpecs(gpu[0], gpu[1] == null ? null : Double.parseDouble(gpu[1]), ramGb(), cpu());
    }

    static Double ramGb() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.round(os.getTotalMemorySize() / 1024.0 / 1024.0 / 1024.0 * 10) / 10.0;
        }
        return null;
    }

    static String cpu() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                for (String line : Files.readAllLines(cpuinfo)) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (IOException ignored) {
                // fall through
            }
        }
        String mac = run("sysctl", "-n", "machdep.cpu.brand_string");
        if (mac != null && !mac.isBlank()) {
            return mac.trim();
        }
        String env = System.getenv("PROCESSOR_IDENTIFIER");
        return env != null ? env : System.getProperty("os.arch");
    }

    /** {name, vram GB} — either may be null. */
    static String[] gpu() {
        String nvidia = run("nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits");
        if (nvidia != null && !nvidia.isBlank()) {
            String[] parts = nvidia.lines().findFirst().orElse("").split(",");
            if (parts.length >= 2) {
                try {
                    double gb = Math.round(Double.parseDouble(parts[1].trim()) / 1024.0 * 10) / 10.0;
                    return new String[] {parts[0].trim(), String.valueOf(gb)};
                } catch (NumberFormatException e) {
                    return new String[] {parts[0].trim(), null};
                }
            }
        }
        String profiler = run("system_profiler", "SPDisplaysDataType");
        if (profiler != null) {
            for (String line : profiler.lines().toList()) {
                if (line.trim().startsWith("Chipset Model:")) {
                    return new String[] {line.substring(line.indexOf(':') + 1).trim(), null};
                }
            }
        }
        String lspci = run("lspci");
        if (lspci != null) {
            for (String line : lspci.lines().toList()) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.contains("vga compatible") || lower.contains("3d controller")) {
                    return new String[] {line.substring(line.indexOf(':', line.indexOf(' ')) + 1).trim(), null};
                }
            }
        }
        return new String[] {null, null};
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static String describe(MachineSpecs s) {
        StringBuilder b = new StringBuilder();
        if (s.cpu() != null) {
            b.append(s.cpu());
        }
        if (s.ram() != null) {
            b.append(b.length() > 0 ? ", " : "").append(s.ram()).append(" GB RAM");
        }
        if (s.gpu() != null) {
            b.append(b.length() > 0 ? ", " : "").append(s.gpu());
            if (s.vram() != null) {
                b.append(" (").append(s.vram()).append(" GB)");
            }
        }
        return b.length() == 0 ? "unknown" : b.toString();
    }
}
