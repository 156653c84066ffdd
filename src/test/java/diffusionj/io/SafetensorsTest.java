package diffusionj.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** A hand-built file: 8-byte length, the header as given, then {@code dataBytes} bytes. */
    private Path raw(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        Path file = dir.resolve("t.safetensors");
        Files.write(file, buf.array());
        return file;
    }

    private static String assertRefused(Path file, String... expectedParts) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.open(file).close());
        for (String part : expectedParts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention '" + part + "'");
        }
        return e.getMessage();
    }

    @Test
    void writtenTensorsReadBackExactlyWithShapesTypesAndMetadata() {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", Nd4j.rand(DataType.FLOAT, 3, 5));
        tensors.put("ids", Nd4j.createFromArray(new long[]{1, 2, 49407}).reshape(1, 3));
        tensors.put("scalar", Nd4j.scalar(2.5f));
        Path file = dir.resolve("round.safetensors");
        SafetensorsWriter.float32().write(file, tensors, Map.of("format", "pt"));
        try (Safetensors st = Safetensors.open(file)) {
            assertEquals(DType.F32, st.info("a.weight").dtype());
            assertEquals(tensors.get("a.weight"), st.load("a.weight"));
            assertEquals(DType.I64, st.info("ids").dtype());
            assertArrayEquals(new long[]{1, 2, 49407}, st.load("ids").toLongVector());
            assertEquals(2.5f, st.load("scalar").getFloat(0));
            assertEquals("pt", st.metadata().get("format"));
        }
    }

    @Test
    void float16FilesWidenToFloat32WithinHalfPrecision() {
        INDArray values = Nd4j.createFromArray(0f, 1f, -2.5f, 65504f, 1e-7f, 0.3333f, -1e-3f);
        Path file = dir.resolve("half.safetensors");
        SafetensorsWriter.float16().write(file, Map.of("v", values));
        try (Safetensors st = Safetensors.open(file)) {
            assertEquals(DType.F16, st.info("v").dtype());
            INDArray back = st.load("v");
            assertEquals(DataType.FLOAT, back.dataType());
            for (int i = 0; i < values.length(); i++) {
                float v = values.getFloat(i);
                assertEquals(v, back.getFloat(i), Math.max(Math.abs(v) * 1e-3, 6e-8), "element " + i);
            }
        }
    }

    @Test
    void bfloat16IsTheUpperHalfOfFloat32() throws IOException {
        float[] values = {1f, -3.5f, 0.15625f};
        ByteBuffer data = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            data.putShort((short) (Float.floatToIntBits(v) >>> 16));
        }
        Path file = raw("{\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]}}", 0);
        Files.write(file, data.array(), java.nio.file.StandardOpenOption.APPEND);
        try (Safetensors st = Safetensors.open(file)) {
            assertArrayEquals(values, st.load("b").toFloatVector());
        }
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        Path file = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertRefused(file, "t.safetensors", "'w'", "outside the data area");
    }

    @Test
    void fileShorterThanItsLengthPrefixIsRefused() throws IOException {
        Files.write(dir.resolve("t.safetensors"), new byte[]{1, 2, 3});
        assertRefused(dir.resolve("t.safetensors"), "fewer than the 8-byte header length");
    }

    @Test
    void headerLengthPastTheEndIsRefused() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000);
        Path file = dir.resolve("t.safetensors");
        Files.write(file, buf.array());
        assertRefused(file, "header length 1000000", "20 bytes");
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        Path file = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertRefused(file, "'a'", "'b'", "overlap");
    }

    @Test
    void unknownDtypeIsRefused() throws IOException {
        Path file = raw("{\"w\":{\"dtype\":\"F8_E9M9\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
        assertRefused(file, "'w'", "unknown dtype 'F8_E9M9'");
    }

    @Test
    void shapeThatDoesNotMatchTheByteSpanIsRefused() throws IOException {
        Path file = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3,3],\"data_offsets\":[0,16]}}", 16);
        assertRefused(file, "'w'", "[3, 3]", "needs 36 bytes", "span 16");
    }

    @Test
    void headerThatIsNotJsonIsRefused() throws IOException {
        Path file = raw("{this is not json", 0);
        assertRefused(file, "not valid JSON");
    }

    @Test
    void headerEntryWithoutOffsetsIsRefused() throws IOException {
        Path file = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4);
        assertRefused(file, "'w'", "malformed header entry");
    }

    @Test
    void pickleCheckpointsAreRefusedWithAnExplanation() throws IOException {
        Path ckpt = dir.resolve("model.ckpt");
        Files.write(ckpt, new byte[]{(byte) 0x80, 2, 0, 0, 0, 0, 0, 0, 0, 0});
        String message = assertRefused(ckpt, "pickle", "execute", "safetensors");
        assertTrue(message.contains("model.ckpt"), message);

        Path zipped = dir.resolve("renamed.safetensors");
        Files.write(zipped, new byte[]{'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
        assertRefused(zipped, "zip archive", "pickle");
    }

    @Test
    void aHeaderLengthThatLooksLikeAPickleSignatureIsStillSafetensors() throws IOException {
        StringBuilder header = new StringBuilder("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}");
        while (header.length() < 0x280 - 1) {
            header.append(' ');
        }
        Path file = raw(header.append('}').toString(), 4);
        try (Safetensors st = Safetensors.open(file)) {
            assertArrayEquals(new long[]{1}, st.info("w").shape());
        }
    }

    @Test
    void aThreeGigabyteFileOpensFromItsHeaderAlone() throws IOException {
        Path file = dir.resolve("big.safetensors");
        long elements = 768L * 1024 * 1024;
        String header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + elements + "],\"data_offsets\":[0," + elements * 4 + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).flip());
            ch.write(ByteBuffer.wrap(json));
            ch.write(ByteBuffer.allocate(1), 8 + json.length + elements * 4 - 1);
        }
        assertTrue(Files.size(file) > 3_000_000_000L);
        try (Safetensors st = Safetensors.open(file)) {
            assertArrayEquals(new long[]{elements}, st.info("big").shape());
            CheckpointException e = assertThrows(CheckpointException.class, () -> st.load("big"));
            assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("2 GiB"), e.getMessage());
        }
    }
}
