"""One module per external file format: the only parser of that format in the code base.

=========================  ===============================================================
module                     format
=========================  ===============================================================
``label_sets``             ``image_id,labels``: tuning labels, solutions, submissions
                           (reader and the one atomic writer)
``class_descriptions``     ``class-descriptions.csv``: ``code,name``
``classes_trainable``      ``classes-trainable.csv``: one code per line
``image_labels``           Open Images ``ImageID,Source,LabelName,Confidence``
``bounding_boxes``         Open Images ``train_bounding_boxes.csv``
``annotation_sets``        positive label sets from an image-labels or a label-set file
``pair_counts``            image co-occurrence counts ``label_a,label_b,images`` (+ label
                           counts)
=========================  ===============================================================

Every reader goes through the one CSV entry point, :mod:`corpora.formats._csv` (``sniff``
decides the encoding and delimiter of a file), so every format accepts what common tools
write: UTF-8 with or without BOM, UTF-16/32 with BOM (Excel "Unicode text"), LF, CRLF or CR,
RFC 4180 quoting, Excel's ``sep=`` first line, ``;`` or TAB when the header line is written
with it (then decimal commas too), whitespace around fields, trailing empty fields and
delimiters (spreadsheet padding), blank lines. Each names its file and line in every error
(:class:`~corpora.errors.InputError`) and takes ``skip_bad_rows=True`` to count malformed rows
in a :class:`~corpora.formats.read_report.ReadReport` instead of raising. The large tables
(image labels, boxes) are read column by column with pyarrow. Import the readers from
their modules (``from corpora.formats.label_sets import read_solution``); this package imports
none of them, so ``import corpora`` stays free of pandas.
"""
