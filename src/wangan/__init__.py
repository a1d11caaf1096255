"""wangan (网安): operate China's network-product cybersecurity regime."""

__version__ = "0.1.0"
