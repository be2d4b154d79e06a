package dev.jseek.template;

import java.util.List;
import java.util.Map;

/** Something a template can call: a global function, a macro or a bound method such as {@code s.split}. */
interface TemplateCallable {

    Object call(List<Object> args, Map<String, Object> kwargs);
}
