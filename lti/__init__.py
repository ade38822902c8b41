"""The LTI 1.3 door: an aiohttp adapter for pylti1p3, the protocol endpoints and the pages shown in the LMS."""
