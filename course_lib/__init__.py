"""An offline, hands-on course on AWS serverless: the helper library behind the notebooks."""
