"""upgradecamp: wealth upgrade sessions for bank branches (财富升级会)."""

__version__ = "0.1.0"
