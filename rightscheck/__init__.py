"""rightscheck: find republished agency and Creative Commons text that lacks the credit or licence its terms require."""

__version__ = "0.1.0"
