"""A stand-alone stand-in for the platform's IAM and inference services.

Standard library only. Run it with ``python -m simulator`` or, in tests,
``simulator.server.start_background(...)``. See simulator/README.md.
"""
