package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a participant says about the machine behind it. Every field is optional.
 *
 * @param gpu  GPU name, e.g. "NVIDIA RTX 4090"
 * @param vram GPU memory in GB
 * @param ram  system memory in GB
 * @param cpu  CPU name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MachineSpecs(String gpu, Double vram, Double ram, String cpu) {
    public static final MachineSpecs NONE = new MachineSpecs(null, null, null, null);
}
