package dev.jseek.template;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The object {@code namespace(...)} returns: the one mutable value templates have, because a plain
 * {@code set} inside a loop does not outlive the iteration.
 */
final class Namespace {

    final Map<String, Object> attributes = new LinkedHashMap<>();
}
