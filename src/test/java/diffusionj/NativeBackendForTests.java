package diffusionj;

import diffusionj.nn.NativeBackend;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Tests run on the native build the launcher would choose (registered in META-INF/services). */
public class NativeBackendForTests implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeBackend.configure();
    }
}
