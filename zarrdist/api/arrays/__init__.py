"""Array operations (API layer): what ``Array`` and the top-level functions do with arrays.

``keywords`` turns ``create_array`` keywords into metadata; ``create`` writes the new
node and its data; ``from_source`` is what a new array copies from a source array;
``selections`` are ``z[...]``, ``oindex``, ``vindex`` and friends; ``copy`` is
``copy``/``copy_all``/``copy_store``; ``describe`` is ``info`` and the HTML view.
"""
