package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * PLMS, the pseudo linear multistep method of PNDM (Liu et al., 2022) without its Runge–Kutta warm-up:
 * Adams–Bashforth combinations of the last ε estimates drive a DDIM-like transfer. The first step is
 * taken twice (a second-order start), so N steps make N + 1 UNet calls. "pndm".
 */
final class PndmSampler extends StridedSampler {
    private final double[] plmsTimesteps;
    private final List<INDArray> eps = new ArrayList<>();
    private INDArray firstSample;
    private int counter;

    PndmSampler(NoiseSchedule schedule, int steps) {
        super(schedule, steps);
        // PNDM's transfer works on ε; diffusers' PNDMScheduler accepts only ε and v models.
        Prediction p = schedule.prediction();
        if (p != Prediction.EPSILON && p != Prediction.V_PREDICTION) {
            throw new IllegalArgumentException("sampler 'pndm' works on models that predict ε or v, not on prediction_type '"
                    + p.configName() + "'; choose another sampler, e.g. ddim or euler");
        }
        this.plmsTimesteps = new double[steps + 1];
        plmsTimesteps[0] = timesteps[0];
        plmsTimesteps[1] = timesteps[1 < steps ? 1 : 0];
        System.arraycopy(timesteps, 1, plmsTimesteps, 2, steps - 1);
    }

    /** The strided timesteps with the second repeated: the warm-up step is taken twice. */
    @Override
    public double[] timesteps() {
        return plmsTimesteps;
    }

    /** The second timestep is visited twice, so step k ≥ 1 begins at index k + 1 (with a fresh warm-up). */
    @Override
    public int firstCall(int step) {
        return step == 0 ? 0 : step + 1;
    }

    @Override
    public INDArray step(INDArray output, int i, INDArray sample, NoiseSource noise) {
        int t = (int) plmsTimesteps[i];
        int prev = t - stride;
        if (counter != 1) {
            while (eps.size() > 3) {
                eps.remove(0);
            }
            eps.add(output);
        } else {
            prev = t;
            t = t + stride;
        }
        INDArray e;
        if (eps.size() == 1 && counter == 0) {
            e = output;
            firstSample = sample;
        } else if (eps.size() == 1 && counter == 1) {
            e = output.add(eps.get(0)).divi(2);
            sample = firstSample;
            firstSample = null;
        } else {
            e = adamsBashforth();
        }
        counter++;
        return transfer(sample, t, prev, e);
    }

    private INDArray adamsBashforth() {
        int n = eps.size();
        INDArray e1 = eps.get(n - 1);
        INDArray e2 = eps.get(n - 2);
        if (n == 2) {
            return combine(e1, 1.5, e2, -0.5);
        }
        INDArray e3 = eps.get(n - 3);
        if (n == 3) {
            return combine(e1, 23.0 / 12, e2, -16.0 / 12).addi(e3.mul(5.0 / 12));
        }
        INDArray e4 = eps.get(n - 4);
        return combine(e1, 55.0 / 24, e2, -59.0 / 24).addi(combine(e3, 37.0 / 24, e4, -9.0 / 24));
    }

    /**
     * PNDM's transfer from t to prev given ε (their eq. 9). For v-prediction the combined output is turned
     * into ε here, at the transfer's own t, as the reference does.
     */
    private INDArray transfer(INDArray sample, int t, int prev, INDArray e) {
        double alpha = schedule.alphaCumprod(t);
        if (schedule.prediction() == Prediction.V_PREDICTION) {
            e = combine(e, Math.sqrt(alpha), sample, Math.sqrt(1 - alpha));
        }
        double alphaPrev = schedule.alphaCumprodBefore(prev);
        double sampleCoeff = Math.sqrt(alphaPrev / alpha);
        double denominator = alpha * Math.sqrt(1 - alphaPrev) + Math.sqrt(alpha * (1 - alpha) * alphaPrev);
        return combine(sample, sampleCoeff, e, -(alphaPrev - alpha) / denominator);
    }
}
