"""Hierarchy (API layer): nodes in a store, the groups that hold them, consolidation.

``location`` is where an array or group lives; ``documents`` reads, writes and deletes
metadata documents; ``members`` walks a group's children; ``consolidation`` keeps
consolidated metadata true; ``edits`` creates, deletes and moves nodes; ``create`` is
``create_hierarchy``'s writes; ``group_node`` finds or makes a group's node;
``group_functions`` holds the top-level group functions of the API;
``group_arrays`` and ``describe`` are Group's array helpers and its descriptions.
"""
