"""The step-through widgets: the frame player, GraphStepper and TopoSortPlayer."""
