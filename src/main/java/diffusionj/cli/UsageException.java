package diffusionj.cli;

/** Wrong command-line arguments: reported with the usage text and exit code 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
