"""The shared base of the programmes app: the Programme and its team, the lifecycle state machine, notifications,
domain errors, access to a programme and the navigation. Every other subpackage may use it."""
