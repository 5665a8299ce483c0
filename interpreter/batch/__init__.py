"""`yakkan batch`: one contract over every customer of a portfolio, read from tables.

    split     the events (and params) tables are read in batches and every row written to the spill file
              of its partition, a range of customer ids (interpreter.batch.partition);
    evaluate  each partition, on its own: its customers' timelines evaluated through the API and the
              results written to part files (interpreter.batch.customers), in this process or on Dask
              workers (interpreter.batch.cluster);
    gather    the parts concatenated in partition order into the output files (interpreter.batch.output),
              and summary.json written.

Memory is bounded by the size of a partition and of an input batch, not by the number of customers. The
output depends only on the inputs and options: the same byte for byte with any number of workers, and
the same again when an interrupted run is started anew (the work folder is started afresh, and each
output file replaces the old one only once complete).
"""
# Nothing is imported here: `yakkan check` must not pay for pyarrow. The pipeline is in .pipeline.
