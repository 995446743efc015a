"""The read side: the view database, the tables behind each read model, the projector that
folds the event store's notification log into them (resumable, rebuildable), and the queries."""
