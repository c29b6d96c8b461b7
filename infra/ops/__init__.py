"""What ops watch: health servers and the monitored long-running loops, the pipeline's status
and the Prometheus metrics computed from it.

May import every other infra package; only cli and api import it.
"""
