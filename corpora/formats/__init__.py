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
=========================  ===============================================================

Every reader accepts UTF-8 with or without BOM, LF or CRLF, RFC 4180 quoting and blank lines;
names its file and line in every error (:class:`~corpora.errors.InputError`); and takes
``skip_bad_rows=True`` to count malformed rows in a
:class:`~corpora.formats.read_report.ReadReport` instead of raising. Import the readers from
their modules (``from corpora.formats.label_sets import read_solution``); this package imports
none of them, so ``import corpora`` stays free of pandas.
"""
