"""The peerlearn domain and its use cases.

`core` knows nothing of Teams, LTI, HTTP or SQL. It defines the objects of a peer-learning program
(`core.model`), the ports it needs from the outside world (`core.ports`, as `typing.Protocol`s), the
commands each entrypoint speaks (`core.commands`) and one service function per use case
(`core.services`). Every service runs inside one unit of work: it commits at the end or changes nothing.
"""
