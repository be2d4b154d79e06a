package dev.jseek.template;

import java.util.List;

/** The {@code loop} variable inside a for loop: position, neighbours and length of the iteration. */
final class LoopInfo {

    private final List<Object> items;
    private int index0;

    LoopInfo(List<Object> items) {
        this.items = items;
    }

    void advanceTo(int index0) {
        this.index0 = index0;
    }

    /** The named attribute, or Undefined for a name the loop object does not have. */
    Object attribute(String name) {
        int length = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (length - index0);
            case "revindex0" -> (long) (length - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == length - 1;
            case "length" -> (long) length;
            case "depth" -> 1L;
            case "depth0" -> 0L;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : Undefined.withHint("there is no previous item");
            case "nextitem" -> index0 < length - 1 ? items.get(index0 + 1) : Undefined.withHint("there is no next item");
            case "cycle" -> new Methods.BoundMethod("cycle", this, (args, kwargs) -> {
                if (args.isEmpty()) {
                    throw new TemplateException(TemplateException.Kind.TYPE, "no items for cycling given");
                }
                return args.get(index0 % args.size());
            });
            default -> Undefined.member(this, name);
        };
    }

    @Override
    public String toString() {
        return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
    }
}
