"""Ingest: an inbound message in, exactly one recorded outcome out.

``parse`` validates a message, ``batch.Ingest`` decides a batch on the aggregates and commits it
(events, inbox rows, consumer position: one transaction), ``consume.Consumer`` is the loop that
pulls, overlaps deciding with committing, acknowledges and publishes; ``outcome`` is what became of
a message. With several workers, ``order`` and ``sharing`` keep their answers those of one worker
deciding the stream in order.
"""
