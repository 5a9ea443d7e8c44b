package io.cellforge.app;

import javafx.scene.input.KeyCombination;

import java.util.List;
import java.util.Optional;

/** Every keyboard shortcut of the designer, in one table: the menus take their accelerators from it, Help lists it. */
public final class Shortcuts {
    private Shortcuts() {
    }

    /** An action id, what it does, and its key combination in JavaFX's notation ("" when only the canvas has it). */
    public record Shortcut(String id, String action, String keys, String display) {
        public Optional<KeyCombination> combination() {
            return keys.isEmpty() ? Optional.empty() : Optional.of(KeyCombination.keyCombination(keys));
        }
    }

    private static Shortcut s(String id, String action, String keys) {
        return new Shortcut(id, action, keys, KeyCombination.keyCombination(keys).getDisplayText());
    }

    private static Shortcut mouse(String action, String display) {
        return new Shortcut("", action, "", display);
    }

    public static final List<Shortcut> ALL = List.of(
            s("new", "New document", "Shortcut+N"),
            s("open", "Open...", "Shortcut+O"),
            s("save", "Save", "Shortcut+S"),
            s("saveAs", "Save as...", "Shortcut+Shift+S"),
            s("exportYaml", "Export space YAML...", "Shortcut+E"),
            s("close", "Quit", "Shortcut+Q"),
            s("undo", "Undo", "Shortcut+Z"),
            s("redo", "Redo", "Shortcut+Shift+Z"),
            s("redo2", "Redo (alternative)", "Shortcut+Y"),
            s("cut", "Cut nodes", "Shortcut+X"),
            s("copy", "Copy nodes", "Shortcut+C"),
            s("paste", "Paste nodes", "Shortcut+V"),
            s("delete", "Delete selection", "Delete"),
            s("selectAll", "Select all", "Shortcut+A"),
            s("setOp", "Set the op of the selected edges", "O"),
            s("layerChoice", "Make LayerChoice on the selected edges", "Shortcut+L"),
            s("inputChoice", "Make InputChoice on the selected node", "Shortcut+I"),
            s("valueChoice", "Make ValueChoice on the selected edge", "Shortcut+Shift+V"),
            s("renameKey", "Rename a key everywhere", "F2"),
            s("addNode", "Add an intermediate node", "Shortcut+Shift+N"),
            s("layout", "Automatic layout", "Shortcut+Shift+L"),
            s("fit", "Fit to view", "Shortcut+0"),
            s("zoomIn", "Zoom in", "Shortcut+EQUALS"),
            s("zoomOut", "Zoom out", "Shortcut+MINUS"),
            s("network", "Show the network", "Shortcut+1"),
            s("search", "Search the palette", "Shortcut+F"),
            s("theme", "Switch light / dark theme", "Shortcut+Shift+D"),
            s("design", "Show the designer", "Shortcut+2"),
            s("searchTab", "Show the search", "Shortcut+3"),
            s("searchStart", "Start a search of this space", "F5"),
            s("searchPause", "Pause or resume the search", "F6"),
            s("searchStop", "Stop the search (it can be resumed)", "Shift+F5"),
            s("shortcuts", "This list", "F1"),
            mouse("Pan", "Arrows, wheel, right or middle drag"),
            mouse("Zoom at the pointer", "Ctrl+wheel, pinch"),
            mouse("Connect", "Drag from an output port to a node"),
            mouse("Select several", "Shift+click, drag a rubber band"),
            mouse("Edit a LayerChoice / InputChoice", "Double-click the edge / node"));

    public static Shortcut get(String id) {
        return ALL.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(id));
    }
}
